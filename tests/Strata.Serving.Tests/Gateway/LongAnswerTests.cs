using System.Net;
using System.Text.Json;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// A non-streaming request sends nothing until its answer is whole, so the idle timeout cannot
/// judge it: it gets a total timeout sized from max_tokens (or non_streaming_timeout_s), and once
/// an engine has it, it is never retried elsewhere and its length never costs the engine its health.
/// </summary>
public sealed class LongAnswerTests
{
    private static string Config(FakeEngine a, FakeEngine b, string top) =>
        top + $"health: {{interval_ms: 60000, timeout_ms: 10000, failures: 1, reactivation_s: 60}}\nmodels:\n  - name: m\n    backends: [{a.Url}, {b.Url}]\n";

    private static HttpRequestMessage LongChat(int maxTokens) => TestGateway.Post("/v1/chat/completions",
        $"{{\"model\":\"m\",\"max_tokens\":{maxTokens},\"messages\":[{{\"role\":\"user\",\"content\":\"write at length\"}}]}}");

    [Fact]
    public async Task A_non_streaming_answer_longer_than_the_idle_timeout_completes_once_on_one_engine()
    {
        await using var a = await FakeEngine.StartAsync("a");
        await using var b = await FakeEngine.StartAsync("b");
        // Three idle timeouts of silence before the answer: the probe's 2,000 tokens under a 5 s idle timeout, scaled down.
        a.AnswerDelay = b.AnswerDelay = TimeSpan.FromSeconds(1.5);
        await using var gateway = await TestGateway.StartAsync(Config(a, b, "upstream_idle_timeout_s: 0.5\n"));

        using var response = await gateway.Client.SendAsync(LongChat(maxTokens: 2000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, a.CompletionRequests + b.CompletionRequests);
        Assert.Equal(0, await gateway.MetricAsync("strata_gateway_retries_total"));
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "completed")));
        Assert.All(gateway.State.Models["m"].Backends, backend => Assert.True(backend.Health.IsHealthy, backend.Name));
    }

    [Fact]
    public async Task A_non_streaming_answer_past_its_total_timeout_is_a_504_not_retried_and_not_held_against_the_engine()
    {
        await using var a = await FakeEngine.StartAsync("a");
        await using var b = await FakeEngine.StartAsync("b");
        a.AnswerDelay = b.AnswerDelay = TimeSpan.FromSeconds(30);
        await using var gateway = await TestGateway.StartAsync(Config(a, b, "non_streaming_timeout_s: 0.5\n"));

        using var response = await gateway.Client.SendAsync(LongChat(maxTokens: 2000));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("upstream_timeout", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, a.CompletionRequests + b.CompletionRequests);
        Assert.Equal(0, await gateway.MetricAsync("strata_gateway_retries_total"));
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "failed")));
        Assert.All(gateway.State.Models["m"].Backends, backend => Assert.True(backend.Health.IsHealthy, backend.Name));
    }

    [Fact]
    public async Task A_stream_silent_past_the_idle_timeout_before_its_first_byte_is_still_retried_on_another_engine()
    {
        await using var stalled = await FakeEngine.StartAsync("stalled");
        await using var good = await FakeEngine.StartAsync("good");
        stalled.Hold = true;
        await using var gateway = await TestGateway.StartAsync(
            $"upstream_idle_timeout_s: 0.5\nhealth: {{interval_ms: 60000}}\nmodels:\n  - name: m\n    backends: [{stalled.Url}, {good.Url}]\n    dispatch: {{name: round-robin}}\n");

        using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: true));

        Assert.Equal(good.StreamBody(chat: true), await response.Content.ReadAsStringAsync());
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_retries_total", ("backend", stalled.Url.AbsoluteUri.TrimEnd('/'))));
    }
}
