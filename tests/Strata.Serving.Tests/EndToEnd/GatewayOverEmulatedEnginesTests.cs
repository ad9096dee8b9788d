using System.Net;
using Strata.Bench;
using Strata.Emulation;
using Strata.Serving.Gateway.Signals;
using Strata.Serving.Tests.Emulation;
using Strata.Serving.Tests.Gateway;
using Strata.Simulation.Metrics;

namespace Strata.Serving.Tests.EndToEnd;

/// <summary>
/// The real parts together, in process on loopback ports: <c>strata serve</c>'s gateway in front of
/// emulated vLLM engines, driven by <c>strata bench</c>'s runner or plain HTTP clients. Every wait is
/// on a condition with a generous deadline; time-scaled engines keep each test to a few seconds.
/// </summary>
public sealed class GatewayOverEmulatedEnginesTests
{
    /// <summary>Modelled seconds per wall second: a 16-token request takes tens of ms, not a second.</summary>
    private const double TimeScale = 20;

    /// <summary>Modelled seconds per wall second that make a 2,000-token answer take a little over 5 wall seconds.</summary>
    private const double LongAnswerTimeScale = 3.5;

    [Fact]
    public async Task A_bench_run_through_the_gateway_completes_every_request_and_spreads_them_over_the_engines()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: TimeScale, engines: 4);
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(engines.Emulator.Urls, EmulatedEngines.Model));

        var result = await BenchAsync(gateway, requests: 40, concurrency: 8, outputTokens: 16);

        Assert.Equal(40, result.Metrics.Completed);
        Assert.Empty(result.Errors);
        await AllAccountedAsync(gateway, accepted: 40);
        Assert.Equal(40, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "completed")));
        foreach (var engine in engines.Emulator.Urls)
        {
            var dispatched = await gateway.MetricAsync("strata_gateway_dispatch_decisions_total", ("backend", Name(engine)));
            Assert.True(dispatched >= 1, $"no request went to {engine}");
            // What the gateway sent there is what that engine finished: nothing lost or doubled between them.
            Assert.Equal(dispatched, await EngineMetricAsync(gateway, engine, "vllm:request_success_total"));
        }
    }

    [Fact]
    public async Task An_engine_crashing_mid_run_loses_no_accepted_request_and_the_gateway_keeps_serving()
    {
        await using var doomed = await EmulatedEngines.Start(timeScale: TimeScale, failures: new FailureInjection(CrashAfter: 4));
        await using var healthy = await EmulatedEngines.Start(timeScale: TimeScale, engines: 3);
        // Round-robin sends the doomed engine every fourth request, so it surely reaches its fifth mid-run.
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(
            doomed.Emulator.Urls.Concat(healthy.Emulator.Urls), EmulatedEngines.Model, "    dispatch: {name: round-robin}\n"));

        var during = await BenchAsync(gateway, requests: 40, concurrency: 8, outputTokens: 32);

        await doomed.Emulator.Crashes[0].WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(40, during.Metrics.Completed + during.Metrics.Failed);
        await AllAccountedAsync(gateway, accepted: 40);
        // Each failure the gateway counts reached its client as an error (an SSE error event or an error status).
        Assert.Equal(during.Metrics.Failed, (int)await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "failed")));
        Assert.Equal(during.Metrics.Failed, during.Errors.Count);
        Assert.Equal(0, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "cancelled")));

        var after = await BenchAsync(gateway, requests: 20, concurrency: 4, outputTokens: 8);

        Assert.Equal(20, after.Metrics.Completed);
        await AllAccountedAsync(gateway, accepted: 60);
    }

    [Fact]
    public async Task Overload_answers_429_with_retry_after_while_the_queue_and_the_engines_stay_bounded()
    {
        const int requests = 30, maxInFlight = 2, maxQueue = 4;
        await using var engines = await EmulatedEngines.Start(timeScale: TimeScale, engines: 2);
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(engines.Emulator.Urls, EmulatedEngines.Model,
            $"    max_in_flight: {maxInFlight}\n    queue: {{name: fcfs, max_length: {maxQueue}, ttl_s: 60}}\n"));
        using var done = new CancellationTokenSource();
        var peaks = WatchPeaksAsync(gateway, engines.Emulator.Urls, done.Token);

        var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(async i =>
        {
            using var response = await gateway.Client.SendAsync(Completion(i, maxTokens: 64));
            return (response.StatusCode, response.Headers.RetryAfter?.Delta, Body: await response.Content.ReadAsStringAsync());
        }));
        await done.CancelAsync();
        var (queuePeak, runningPeak) = await peaks;

        var rejected = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToArray();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.True(r.Delta >= TimeSpan.FromSeconds(1), $"Retry-After {r.Delta}"));
        Assert.All(rejected, r => Assert.Contains("rate_limit_exceeded", r.Body));
        Assert.Equal(requests - rejected.Length, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.InRange(queuePeak, 0, maxQueue);
        Assert.InRange(runningPeak, 0, maxInFlight);
        await AllAccountedAsync(gateway, accepted: requests);
        Assert.Equal(rejected.Length, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "failed")));
    }

    [Fact]
    public async Task A_client_abort_through_the_gateway_frees_the_engines_slot()
    {
        // Real time: a 2000-token stream outlives the test by far unless the abort reaches the engine.
        await using var engines = await EmulatedEngines.Start();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(engines.Emulator.Urls, EmulatedEngines.Model));

        using (var cancel = new CancellationTokenSource())
        {
            using var response = await gateway.Client.SendAsync(Completion(0, maxTokens: 2000, stream: true), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            Assert.True(await stream.ReadAsync(new byte[64], cancel.Token) > 0);
            await engines.WaitForMetric("vllm:num_requests_running", running => running == 1);
            await cancel.CancelAsync();
        }

        await engines.WaitForMetric("vllm:num_requests_running", running => running == 0, timeoutSeconds: 30);
        Assert.Equal(0, await engines.Metric("vllm:request_success_total"));
        await TestGateway.EventuallyAsync(async () =>
            await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "cancelled")) == 1
            && await gateway.MetricAsync("strata_gateway_backend_in_flight") == 0, "the gateway counts the request cancelled and releases the engine");
    }

    [Fact]
    public async Task A_2000_token_non_streaming_answer_under_a_5_s_idle_timeout_completes_once_on_one_engine()
    {
        // The probe's reproduction in real time: the answer takes longer than the idle timeout, and sends nothing until it is whole.
        await using var engines = await EmulatedEngines.Start(timeScale: LongAnswerTimeScale, engines: 2);
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(engines.Emulator.Urls, EmulatedEngines.Model, top: "upstream_idle_timeout_s: 5\n"));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var response = await gateway.Client.SendAsync(Completion(0, maxTokens: 2000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(5), $"the answer took {clock.Elapsed}, not longer than the idle timeout");
        var ran = 0.0;
        foreach (var engine in engines.Emulator.Urls) ran += await EngineMetricAsync(gateway, engine, "vllm:request_success_total");
        Assert.Equal(1, ran);
        Assert.Equal(0, await gateway.MetricAsync("strata_gateway_retries_total"));
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "completed")));
        Assert.All(gateway.State.Models[EmulatedEngines.Model].Backends, backend => Assert.True(backend.Health.IsHealthy, backend.Name));
    }

    [Theory]
    [InlineData("/v1/chat/completions", "")]
    [InlineData("/v1/chat/completions", "\"max_tokens\":null,")]
    [InlineData("/v1/completions", "\"max_tokens\":null,")]
    public async Task A_request_that_leaves_its_limit_to_the_engine_gets_no_more_than_the_models_cap(string path, string fields)
    {
        await using var engines = await EmulatedEngines.Start(timeScale: TimeScale);
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(engines.Emulator.Urls, EmulatedEngines.Model, "    max_tokens: 100\n"));
        var input = path == "/v1/completions" ? "\"prompt\":\"Once upon a time\"" : "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

        using var response = await gateway.Client.SendAsync(TestGateway.Post(path, $"{{{fields}\"model\":\"{EmulatedEngines.Model}\",{input}}}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(100, json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Engines_that_each_fail_30_percent_of_requests_cost_clients_few_errors_and_no_503()
    {
        // The probe saw 54% errors here: passive health took both engines out and every client got 503.
        await using var engines = await EmulatedEngines.Start(timeScale: TimeScale, engines: 2, failures: new FailureInjection(ErrorRate: 0.3));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(engines.Emulator.Urls, EmulatedEngines.Model));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            using var response = await gateway.Client.SendAsync(Completion(i, maxTokens: 4));
            statuses.Add(response.StatusCode);
        }

        // A request fails only when both engines fail it: about 0.3 x 0.3 = 9%.
        var errors = statuses.Count(s => s != HttpStatusCode.OK);
        Assert.True(errors <= 20, $"{errors}% of requests failed: {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key} x{g.Count()}"))}");
        Assert.DoesNotContain(HttpStatusCode.ServiceUnavailable, statuses);
    }

    private static Task<BenchResult> BenchAsync(TestGateway gateway, int requests, int concurrency, int outputTokens)
    {
        var options = new BenchOptions { Url = gateway.Url, Model = EmulatedEngines.Model, MaxConcurrency = concurrency };
        var work = Enumerable.Range(0, requests).Select(i => new BenchRequest(0, EmulatedEngines.Prompt((ulong)i + 1, 24), 24, outputTokens)).ToArray();
        return BenchRunner.RunAsync(options, work, ServiceLevelObjectives.None);
    }

    private static HttpRequestMessage Completion(int key, int maxTokens, bool stream = false) =>
        TestGateway.Post("/v1/completions",
            $"{{\"model\":\"{EmulatedEngines.Model}\",\"prompt\":\"{EmulatedEngines.Prompt((ulong)key + 1, 24)}\",\"max_tokens\":{maxTokens},\"stream\":{(stream ? "true" : "false")}}}");

    /// <summary>Waits until the gateway accepted <paramref name="accepted"/> requests and every one ended as completed, failed or cancelled.</summary>
    private static Task AllAccountedAsync(TestGateway gateway, int accepted) =>
        TestGateway.EventuallyAsync(async () =>
            await gateway.MetricAsync("strata_gateway_requests_accepted_total") == accepted
            && await gateway.MetricAsync("strata_gateway_requests_finished_total") == accepted,
            $"completed + failed + cancelled == accepted == {accepted}");

    /// <summary>Until cancelled, the largest admission queue the gateway reported and the most requests any engine ran at once.</summary>
    private static async Task<(double Queue, double Running)> WatchPeaksAsync(TestGateway gateway, IReadOnlyList<Uri> engines, CancellationToken stop)
    {
        double queue = 0, running = 0;
        while (!stop.IsCancellationRequested)
        {
            queue = Math.Max(queue, await gateway.MetricAsync("strata_gateway_queue_length"));
            foreach (var engine in engines) running = Math.Max(running, await EngineMetricAsync(gateway, engine, "vllm:num_requests_running"));
            await Task.Delay(5, CancellationToken.None);
        }
        return (queue, running);
    }

    /// <summary>
    /// The gateway's <c>{url, data_parallel_size: 4}</c> in front of <c>strata emulate --data-parallel-size 4
    /// --enable-expert-parallel</c>: the gateway pins each request to the rank it chose, the emulated server runs it
    /// there, and each of the gateway's rank engines reads the series the server labels with its rank.
    /// </summary>
    [Fact]
    public async Task The_gateway_pins_requests_to_the_ranks_of_an_emulated_data_parallel_server_and_reads_each_ranks_series()
    {
        await using var server = await EmulatedEngines.Start(timeScale: TimeScale, dataParallelSize: 4, expertParallel: true);
        var url = server.Emulator.Urls[0];
        await using var gateway = await TestGateway.StartAsync(
            $"health: {{interval_ms: 100, timeout_ms: 1000}}\nmodels:\n  - name: {EmulatedEngines.Model}\n    backends: [{{url: {url.AbsoluteUri}, data_parallel_size: 4}}]\n" +
            "    dispatch: {name: round-robin}\n");

        for (var i = 0; i < 8; i++)
        {
            using var response = await gateway.Client.SendAsync(TestGateway.Post("/v1/completions",
                $$"""{"model": "{{EmulatedEngines.Model}}", "prompt": "hello {{i}}", "max_tokens": 4}"""));
            response.EnsureSuccessStatusCode();
        }

        var samples = PrometheusText.Parse(await gateway.Client.GetStringAsync(new Uri(url, "/metrics")));
        for (var rank = 0; rank < 4; rank++)
        {
            var label = $"{rank}";
            Assert.Equal(2, samples.Where(s => s.Name == "vllm:request_success_total" && s.Labels.GetValueOrDefault("engine") == label).Sum(s => s.Value));
        }
        var backends = gateway.State.Models[EmulatedEngines.Model].Backends;
        await TestGateway.EventuallyAsync(async () => backends.All(b => b.Signals is { KvCapacityTokens: > 0 }), "every rank reads its own series");
    }

    private static async Task<double> EngineMetricAsync(TestGateway gateway, Uri engine, string name) =>
        PrometheusText.Parse(await gateway.Client.GetStringAsync(new Uri(engine, "/metrics"))).Where(s => s.Name == name).Sum(s => s.Value);

    private static string Name(Uri backend) => backend.AbsoluteUri.TrimEnd('/');
}
