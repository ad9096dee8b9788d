using System.Text.Json;
using Strata.Bench;
using Strata.Serving.Tests.Emulation;
using Strata.Simulation.Metrics;
using Strata.Simulation.Workloads;
using Strata.Engine;

namespace Strata.Serving.Tests.Bench;

/// <summary><c>strata bench</c> against an emulated engine: vLLM's result fields, with values that add up.</summary>
public sealed class BenchAgainstEmulatedEngineTests
{
    [Theory]
    [InlineData(BenchEndpoints.Completions)]
    [InlineData(BenchEndpoints.Chat)]
    public async Task Result_json_has_vllm_fields_and_sane_values(string endpoint)
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 4);
        var options = new BenchOptions { Url = engines.Url, Model = EmulatedEngines.Model, Endpoint = endpoint, RequestRate = 20, MaxConcurrency = 4, Workload = "central", Seed = 3 };
        var requests = BenchWorkload.Open("central", options.RequestRate, 1.0, requests: 12, seed: 3)
            .Select(r => r with { OutputTokens = Math.Min(r.OutputTokens, 24) }).ToArray();
        var finished = 0;

        var result = await BenchRunner.RunAsync(options, requests, ServiceLevelObjectives.None, _ => Interlocked.Increment(ref finished));
        using var file = new MemoryStream();
        BenchResultJson.Write(result, file);
        var json = JsonDocument.Parse(file.ToArray()).RootElement;

        Assert.Equal(12, finished);
        foreach (var field in new[]
                 {
                     "date", "endpoint_type", "backend", "model_id", "tokenizer_id", "num_prompts", "request_rate", "burstiness", "max_concurrency",
                     "duration", "completed", "failed", "total_input_tokens", "total_output_tokens", "request_throughput", "request_goodput",
                     "output_throughput", "total_token_throughput", "max_output_tokens_per_s", "max_concurrent_requests",
                     "mean_ttft_ms", "median_ttft_ms", "std_ttft_ms", "p99_ttft_ms", "mean_tpot_ms", "median_tpot_ms", "p99_tpot_ms",
                     "mean_itl_ms", "median_itl_ms", "p99_itl_ms", "mean_e2el_ms", "median_e2el_ms", "p99_e2el_ms",
                 })
            Assert.True(json.TryGetProperty(field, out _), $"no {field}");
        Assert.Equal(12, json.GetProperty("completed").GetInt32());
        Assert.Equal(0, json.GetProperty("failed").GetInt32());
        Assert.Equal(requests.Sum(r => r.PromptTokens), json.GetProperty("total_input_tokens").GetInt64());
        Assert.Equal(requests.Sum(r => r.OutputTokens), json.GetProperty("total_output_tokens").GetInt64());
        Assert.True(json.GetProperty("mean_ttft_ms").GetDouble() > 0);
        Assert.True(json.GetProperty("mean_tpot_ms").GetDouble() > 0);
        Assert.True(json.GetProperty("mean_e2el_ms").GetDouble() > json.GetProperty("mean_ttft_ms").GetDouble());
        // vLLM counts a request in every whole second it touches, so a second can hold more than the cap.
        Assert.InRange(json.GetProperty("max_concurrent_requests").GetInt32(), 1, 12);
        Assert.Equal(20, json.GetProperty("request_rate").GetDouble());
    }

    [Fact]
    public async Task Failed_requests_are_counted_with_their_errors()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 10, failures: new Strata.Emulation.FailureInjection(ErrorRate: 1));
        var options = new BenchOptions { Url = engines.Url, Model = EmulatedEngines.Model };
        var requests = Enumerable.Range(0, 3).Select(i => new BenchRequest(0, EmulatedEngines.Prompt((ulong)i, 8), 8, 4)).ToArray();

        var result = await BenchRunner.RunAsync(options, requests, ServiceLevelObjectives.None);

        Assert.Equal(0, result.Metrics.Completed);
        Assert.Equal(3, result.Metrics.Failed);
        Assert.All(result.Errors, e => Assert.StartsWith("HTTP 500", e));
    }

    [Fact]
    public void Synthesized_prompts_have_the_requested_tokens_and_share_text_where_the_workload_shares_a_prefix()
    {
        var shared = new PrefixSegment(42, 64);
        var a = BenchWorkload.Prompt(new RequestSpec(0, 100, 1) { Prefix = [shared] }, 0, seed: 1);
        var b = BenchWorkload.Prompt(new RequestSpec(0, 90, 1) { Prefix = [shared] }, 1, seed: 1);

        Assert.Equal(100 * 4, a.Length);
        Assert.Equal(90 * 4, b.Length);
        Assert.Equal(a[..(64 * 4)], b[..(64 * 4)]);
        Assert.NotEqual(a[(64 * 4)..(90 * 4)], b[(64 * 4)..]);
    }
}
