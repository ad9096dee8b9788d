using System.Net;
using System.Net.Http.Headers;
using Strata.Serving.Gateway.Config;

namespace Strata.Serving.Tests.Gateway;

/// <summary>/health and /metrics name every backend URL; internals_need_key keeps that to API key holders.</summary>
public sealed class InternalsAccessTests
{
    [Fact]
    public async Task With_internals_need_key_metrics_want_a_key_and_health_without_one_gives_its_status_only()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], top: "api_keys: {sk-a: team-a}\ninternals_need_key: true\n"));
        var backend = engine.Url.AbsoluteUri.TrimEnd('/');

        using var anonymousMetrics = await gateway.Client.GetAsync("/metrics");
        var anonymousHealth = await gateway.Client.GetStringAsync("/health");
        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/health") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "sk-a") } };
        using var keyedHealth = await gateway.Client.SendAsync(keyed);
        using var keyedMetricsRequest = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "sk-a") } };
        using var keyedMetrics = await gateway.Client.SendAsync(keyedMetricsRequest);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousMetrics.StatusCode);
        Assert.Equal("{\"status\":\"ok\"}", anonymousHealth);
        Assert.Contains(backend, await keyedHealth.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, keyedMetrics.StatusCode);
    }

    [Fact]
    public async Task By_default_both_are_open_and_list_the_backends()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], top: "api_keys: {sk-a: team-a}\n"));

        Assert.Contains(engine.Url.AbsoluteUri.TrimEnd('/'), await gateway.Client.GetStringAsync("/health"));
        Assert.Contains(engine.Url.AbsoluteUri.TrimEnd('/'), await gateway.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public void Internals_need_key_without_api_keys_is_a_config_error()
    {
        var error = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse("internals_need_key: true\nmodels:\n  - name: m\n    backends: [http://127.0.0.1:9001]\n", "g.yaml"));
        Assert.Contains("internals_need_key", error.Message);
    }
}
