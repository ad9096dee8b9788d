using System.Net;

namespace Strata.Serving.Tests.Gateway;

/// <summary>Per-tenant request and token rates: a 429 with Retry-After and OpenAI's x-ratelimit-* headers, for that tenant only.</summary>
public sealed class RateLimitTests
{
    private static async Task<TestGateway> StartAsync(FakeEngine engine, string limits) => await TestGateway.StartAsync(
        $"api_keys: {{sk-a: team-a, sk-b: team-b}}\ntenants:\n  team-a: {{{limits}}}\nhealth: {{interval_ms: 60000}}\nmodels:\n  - name: m\n    backends: [{engine.Url}]\n");

    private static HttpRequestMessage Chat(string key, int maxTokens) => TestGateway.Post("/v1/chat/completions",
        $"{{\"model\":\"m\",\"max_tokens\":{maxTokens},\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}]}}", key);

    [Fact]
    public async Task Over_its_requests_per_minute_a_tenant_gets_429_with_openai_headers_and_others_do_not()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await StartAsync(engine, "requests_per_minute: 2");
        for (var i = 0; i < 2; i++) using (var ok = await gateway.Client.SendAsync(Chat("sk-a", 5))) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var limited = await gateway.Client.SendAsync(Chat("sk-a", 5));
        using var other = await gateway.Client.SendAsync(Chat("sk-b", 5));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("requests_per_minute", await limited.Content.ReadAsStringAsync());
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 29, 30);
        Assert.Equal("2", limited.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("0", limited.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Matches("^(29|30)s$", limited.Headers.GetValues("x-ratelimit-reset-requests").Single());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(3, engine.CompletionRequests);
    }

    [Fact]
    public async Task Over_its_tokens_per_minute_counting_max_tokens_a_tenant_gets_429()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await StartAsync(engine, "tokens_per_minute: 100");
        using (var ok = await gateway.Client.SendAsync(Chat("sk-a", 60))) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var limited = await gateway.Client.SendAsync(Chat("sk-a", 60));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("tokens_per_minute", await limited.Content.ReadAsStringAsync());
        Assert.Equal("100", limited.Headers.GetValues("x-ratelimit-limit-tokens").Single());
        Assert.Equal(1, engine.CompletionRequests);
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_rejected_total", ("reason", "tenant_limit"), ("tenant", "team-a")));
    }
}
