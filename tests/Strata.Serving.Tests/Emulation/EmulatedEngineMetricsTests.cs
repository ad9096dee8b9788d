namespace Strata.Serving.Tests.Emulation;

/// <summary>/metrics carries vLLM's names, and the values follow what the engine model does under load.</summary>
public sealed class EmulatedEngineMetricsTests
{
    [Fact]
    public async Task Metrics_use_vllm_names_and_labels()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 5);
        (await engines.Complete("warm up the histograms", maxTokens: 4)).EnsureSuccessStatusCode();
        var text = await engines.Http.GetStringAsync("/metrics");

        foreach (var name in new[]
                 {
                     "vllm:num_requests_running{", "vllm:num_requests_waiting{", "vllm:kv_cache_usage_perc{", "vllm:cache_config_info{",
                     "vllm:prefix_cache_queries_total{", "vllm:prefix_cache_hits_total{", "vllm:prompt_tokens_total{", "vllm:generation_tokens_total{",
                     "vllm:request_success_total{", "vllm:num_preemptions_total{", "vllm:time_to_first_token_seconds_bucket{",
                     "vllm:inter_token_latency_seconds_bucket{", "vllm:request_time_per_output_token_seconds_bucket{", "vllm:e2e_request_latency_seconds_count{",
                 })
            Assert.Contains("\n" + name, text);
        Assert.Contains("model_name=\"qwen3-30b-a3b\"", text);
        Assert.Contains("engine=\"0\"", text);
        Assert.Contains("finished_reason=\"length\"", text);
        Assert.Matches("vllm:cache_config_info\\{[^}]*num_gpu_blocks=\"\\d+\"", text);
        Assert.Equal(4, await engines.Metric("vllm:generation_tokens_total"));
        Assert.Equal(1, await engines.Metric("vllm:time_to_first_token_seconds_count"));
    }

    [Fact]
    public async Task Waiting_grows_when_running_is_full_and_drains_when_clients_leave()
    {
        var cluster = EmulatedEngines.OneEngine with { Engine = EmulatedEngines.OneEngine.Engine with { MaxNumSeqs = 2 } };
        await using var engines = await EmulatedEngines.Start(cluster);
        using var leave = new CancellationTokenSource();
        var streams = Enumerable.Range(0, 6).Select(i => engines.StartStream(EmulatedEngines.Prompt((ulong)i, 64), maxTokens: 5000, leave.Token)).ToArray();

        // Until the engine loop first steps, all six wait; then two run and four stay waiting.
        Assert.Equal(2, await engines.WaitForMetric("vllm:num_requests_running", v => v == 2));
        Assert.Equal(4, await engines.WaitForMetric("vllm:num_requests_waiting", v => v == 4));

        await leave.CancelAsync();
        foreach (var stream in streams)
            try { (await stream).Dispose(); }
            catch (OperationCanceledException) { }
        await engines.WaitForMetric("vllm:num_requests_running", v => v == 0);
        await engines.WaitForMetric("vllm:num_requests_waiting", v => v == 0);
    }

    [Fact]
    public async Task Client_abort_frees_the_running_slot_and_its_kv_blocks()
    {
        await using var engines = await EmulatedEngines.Start();
        var response = await engines.StartStream(EmulatedEngines.Prompt(1, 2000), maxTokens: 5000);
        await engines.WaitForMetric("vllm:num_requests_running", v => v == 1);
        Assert.True(await engines.Metric("vllm:kv_cache_usage_perc") > 0);

        response.Dispose();

        await engines.WaitForMetric("vllm:num_requests_running", v => v == 0);
        Assert.Equal(0, await engines.Metric("vllm:kv_cache_usage_perc"));
    }

    [Fact]
    public async Task A_repeated_prompt_hits_the_prefix_cache()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 5);
        var prompt = EmulatedEngines.Prompt(7, 2000);
        (await engines.Complete(prompt, maxTokens: 8)).EnsureSuccessStatusCode();
        Assert.Equal(0, await engines.Metric("vllm:prefix_cache_hits_total"));

        (await engines.Complete(prompt, maxTokens: 8)).EnsureSuccessStatusCode();

        // 2000 tokens = 125 full blocks; vLLM caps a hit at num_tokens − 1, so 124 blocks of 16 tokens hit.
        Assert.Equal(124 * 16, await engines.Metric("vllm:prefix_cache_hits_total"));
        Assert.Equal(2 * 2000, await engines.Metric("vllm:prefix_cache_queries_total"));
    }
}
