using Strata.Serving.Tests.Emulation;
using Strata.Serving.Tests.Gateway;

namespace Strata.Serving.Tests.EndToEnd;

/// <summary>
/// A real Prometheus server scrapes the gateway and an emulated engine: their expositions are what
/// Prometheus accepts (prometheus-net answers its OpenMetrics Accept header; the engine answers in the
/// text format), and the series it stores hold the counts the test produced.
/// </summary>
public sealed class PrometheusScrapeTests
{
    [SkippableFact]
    public async Task Prometheus_scrapes_the_gateway_and_an_emulated_engine_and_stores_their_counts()
    {
        Skip.If(PrometheusServer.Binary() is null, PrometheusServer.Missing + "; .ci/run installs it and sets STRATA_REQUIRE_PROMETHEUS=1 so CI never skips this test.");
        const int streamed = 2, plain = 3;
        await using var engines = await EmulatedEngines.Start(timeScale: 20);
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(engines.Emulator.Urls, EmulatedEngines.Model));
        for (var i = 0; i < streamed + plain; i++)
        {
            using var response = await gateway.Client.SendAsync(TestGateway.Post("/v1/completions",
                $"{{\"model\":\"{EmulatedEngines.Model}\",\"prompt\":\"{EmulatedEngines.Prompt((ulong)i + 1, 16)}\",\"max_tokens\":8,\"stream\":{(i < streamed ? "true" : "false")}}}"));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            await response.Content.ReadAsStringAsync();
        }

        await using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, Uri> { ["strata"] = gateway.Url, ["vllm"] = engines.Url });

        // Health is "unknown" until a target's first scrape; after it, "up" with no error means the exposition parsed.
        await TestGateway.EventuallyAsync(async () => (await prometheus.TargetsAsync()) is { Count: 2 } targets && targets.All(t => t.Health != "unknown"),
            "Prometheus has scraped both targets once");
        Assert.All(await prometheus.TargetsAsync(), t => Assert.Equal((t.Job, "up", ""), (t.Job, t.Health, t.LastError)));

        await TestGateway.EventuallyAsync(async () => await SumAsync(prometheus, "vllm:request_success_total") == streamed + plain,
            "the engine's finished requests are stored");
        Assert.Equal(streamed + plain, await SumAsync(prometheus, "strata_gateway_requests_finished_total{outcome=\"completed\"}"));
        Assert.Equal(streamed + plain, await SumAsync(prometheus, "strata_gateway_dispatch_decisions_total{policy=\"vllm-dp\"}"));
        Assert.Equal(streamed, await SumAsync(prometheus, "strata_gateway_ttft_seconds_count"));
        // The buckets form a histogram PromQL can take a quantile of (cumulative, ending at +Inf).
        var medianTtft = await SumAsync(prometheus, "histogram_quantile(0.5, sum by (le) (strata_gateway_ttft_seconds_bucket))");
        Assert.InRange(medianTtft, 1e-6, 10);
        Assert.Single(await prometheus.QueryAsync("vllm:kv_cache_usage_perc"));
    }

    private static async Task<double> SumAsync(PrometheusServer prometheus, string promql) =>
        (await prometheus.QueryAsync(promql)).Sum(series => series.Value);
}
