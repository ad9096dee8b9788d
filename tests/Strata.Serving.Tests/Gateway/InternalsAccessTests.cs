using System.Net;
using System.Net.Sockets;
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
    public async Task A_backend_is_in_metrics_before_its_first_probe_answers()
    {
        // It accepts the probe's connection and never answers, so no probe finishes while the test looks.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/");
        await using var gateway = await TestGateway.StartAsync("health: {interval_ms: 100, timeout_ms: 60000}\nmodels:\n  - name: m\n    backends: [" + url.AbsoluteUri + "]\n");

        var samples = await gateway.MetricsAsync();

        var name = url.AbsoluteUri.TrimEnd('/');
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "strata_gateway_backend_healthy" && s.Label("backend") == name).Value);
        Assert.Equal(0, Assert.Single(samples, s => s.Name == "strata_gateway_backend_in_flight" && s.Label("backend") == name).Value);
    }

    [Fact]
    public void Internals_need_key_without_api_keys_is_a_config_error()
    {
        var error = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse("internals_need_key: true\nmodels:\n  - name: m\n    backends: [http://127.0.0.1:9001]\n", "g.yaml"));
        Assert.Contains("internals_need_key", error.Message);
    }
}
