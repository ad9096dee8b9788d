using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Serving.Gateway;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Signals;

namespace Strata.Serving.Tests.Gateway;

/// <summary>A real gateway on a loopback port (Kestrel, port 0) from YAML text, with a client pointed at it.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
        Client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Url { get; }
    public HttpClient Client { get; }
    public GatewayState State => _app.Services.GetRequiredService<GatewayState>();

    /// <summary>Starts a gateway; <paramref name="yaml"/> holds everything but <c>listen</c>.</summary>
    /// <param name="configure">Changes to the host beyond the YAML, such as Kestrel limits a test needs tighter.</param>
    public static Task<TestGateway> StartAsync(string yaml, Action<WebApplicationBuilder>? configure = null) =>
        StartAsync(GatewayConfigFile.Parse("listen: http://127.0.0.1:0\n" + yaml, "test.yaml"), null, configure);

    public static async Task<TestGateway> StartAsync(GatewayConfig config, string? path, Action<WebApplicationBuilder>? configure = null)
    {
        var app = GatewayHost.Build(new GatewayOptions(config, path), builder =>
        {
            builder.Logging.ClearProviders();
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new TestGateway(app, new Uri(app.Urls.First()));
    }

    /// <summary>One model <c>m</c> on these engines, with extra model keys (indented for the list item).</summary>
    public static string Config(IEnumerable<FakeEngine> engines, string modelExtra = "", string top = "") =>
        Config(engines.Select(e => e.Url), "m", modelExtra, top);

    /// <summary>One model on these backends, with extra model keys (indented for the list item).</summary>
    public static string Config(IEnumerable<Uri> backends, string model, string modelExtra = "", string top = "") =>
        top + $"health: {{interval_ms: 100, timeout_ms: 1000}}\nmodels:\n  - name: {model}\n    backends: [" + string.Join(", ", backends.Select(u => u.AbsoluteUri)) + "]\n" + modelExtra;

    public static HttpRequestMessage Chat(bool stream, string? key = null, string model = "m", string content = "hello") =>
        Post("/v1/chat/completions", $"{{\"model\":\"{model}\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"{content}\"}}]}}", key);

    public static HttpRequestMessage Post(string path, string json, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    public async Task<List<PrometheusSample>> MetricsAsync() => PrometheusText.Parse(await Client.GetStringAsync("/metrics"));

    /// <summary>The value of one series, 0 when absent (a counter not yet incremented).</summary>
    public async Task<double> MetricAsync(string name, params (string Label, string Value)[] labels) =>
        (await MetricsAsync()).Where(s => s.Name == name && labels.All(l => s.Label(l.Label) == l.Value)).Sum(s => s.Value);

    /// <summary>Waits until the condition holds; fails after a generous deadline instead of assuming a timing.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
