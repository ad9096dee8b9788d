using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// A client's mistake is the client's: it gets a 4xx naming what was wrong, is never retried, and
/// never costs an engine its health (docs/gateway.md, "Failure semantics").
/// </summary>
public sealed class ClientFaultTests
{
    [Fact]
    public async Task Non_ASCII_header_values_get_400_naming_the_header_and_leave_every_engine_in_service()
    {
        await using var a = await FakeEngine.StartAsync("a");
        await using var b = await FakeEngine.StartAsync("b");
        await using var gateway = await TestGateway.StartAsync(
            $"api_keys: {{sk-a: team-a, sk-b: team-b}}\nhealth: {{interval_ms: 60000, failures: 2, reactivation_s: 60}}\nmodels:\n  - name: m\n    backends: [{a.Url}, {b.Url}]\n");
        // HttpClient itself refuses non-ASCII header values; a client that encodes them as UTF-8 sends what the probe sent.
        using var hostile = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = gateway.Url };

        for (var i = 0; i < 2; i++)
        {
            var request = TestGateway.Chat(stream: false, "sk-a");
            request.Headers.TryAddWithoutValidation("X-A", "ü");
            using var response = await hostile.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var error = json.RootElement.GetProperty("error");
            Assert.Equal("X-A", error.GetProperty("param").GetString(), ignoreCase: true);
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        }

        using var other = await gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-b"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(1, a.CompletionRequests + b.CompletionRequests);
        Assert.Equal(2, await gateway.MetricAsync("strata_gateway_requests_rejected_total", ("reason", "invalid_request")));
        Assert.Equal(0, await gateway.MetricAsync("strata_gateway_retries_total"));
        Assert.All(gateway.State.Models["m"].Backends, backend => Assert.True(backend.Health.IsHealthy, backend.Name));
    }

    [Fact]
    public async Task A_body_sent_too_slowly_is_a_counted_408_in_the_openai_shape()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        // Kestrel's minimum body rate, with the shortest grace it allows, so the test takes seconds rather than the default 5 s grace.
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine]), builder =>
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(1.5))));
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.Url.Host, gateway.Url.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: {gateway.Url.Authority}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"model\""));

        var answer = await new StreamReader(stream).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith("HTTP/1.1 408", answer);
        Assert.Contains("\"type\":\"invalid_request_error\"", answer);
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_rejected_total", ("reason", "body_timeout")));
        Assert.Equal(0, engine.CompletionRequests);
    }
}
