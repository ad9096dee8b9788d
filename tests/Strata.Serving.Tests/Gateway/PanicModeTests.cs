using System.Net;
using System.Text.Json;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// Passive health must not turn a few failures into a model-wide outage: with every engine of a
/// model out of the pool the gateway still uses them (Envoy's panic mode), and when no engine is
/// left to try, the client gets the last engine's own error.
/// </summary>
public sealed class PanicModeTests
{
    private static string Config(FakeEngine a, FakeEngine b, string health = "") =>
        $"health: {{interval_ms: 60000, failures: 1, reactivation_s: 60{health}}}\nmodels:\n  - name: m\n    backends: [{a.Url}, {b.Url}]\n";

    [Fact]
    public async Task When_no_engine_is_left_to_try_the_client_gets_the_last_engines_own_error()
    {
        await using var a = await FakeEngine.StartAsync("a");
        await using var b = await FakeEngine.StartAsync("b");
        a.Failure = b.Failure = FakeFailure.Error500;
        await using var gateway = await TestGateway.StartAsync(Config(a, b));

        using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("engine failure 500", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal((1, 1), (a.CompletionRequests, b.CompletionRequests));
        // One retry happened (to the second engine); the third try had no engine to go to.
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_retries_total"));
    }

    [Fact]
    public async Task With_every_engine_out_of_the_pool_requests_still_go_to_them()
    {
        await using var a = await FakeEngine.StartAsync("a");
        await using var b = await FakeEngine.StartAsync("b");
        a.Failure = b.Failure = FakeFailure.Error500;
        await using var gateway = await TestGateway.StartAsync(Config(a, b));
        using (await gateway.Client.SendAsync(TestGateway.Chat(stream: false))) { }
        Assert.All(gateway.State.Models["m"].Backends, backend => Assert.False(backend.Health.IsHealthy, backend.Name));

        a.Failure = b.Failure = FakeFailure.None;
        using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, a.CompletionRequests + b.CompletionRequests);
    }

    [Fact]
    public async Task With_panic_mode_off_every_engine_out_of_the_pool_is_a_503()
    {
        await using var a = await FakeEngine.StartAsync("a");
        await using var b = await FakeEngine.StartAsync("b");
        a.Failure = b.Failure = FakeFailure.Error500;
        await using var gateway = await TestGateway.StartAsync(Config(a, b, ", panic: false"));
        using (await gateway.Client.SendAsync(TestGateway.Chat(stream: false))) { }

        a.Failure = b.Failure = FakeFailure.None;
        using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(2, a.CompletionRequests + b.CompletionRequests);
    }
}
