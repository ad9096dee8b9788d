using System.Net;
using System.Text.Json;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// One tenant cannot take what the config gives another: it uses only its models, cannot jump the
/// queue with a priority it was not given, holds at most its max_in_flight, and is counted apart.
/// </summary>
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private FakeEngine _engine = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _engine = await FakeEngine.StartAsync("a", "m", "other");
        _gateway = await TestGateway.StartAsync(
            "api_keys: {sk-a: team-a, sk-b: team-b, sk-c: team-c}\n" +
            "tenants:\n" +
            "  team-a: {models: [m], priority: 5, priority_range: [0, 10], max_in_flight: 1}\n" +
            "  team-b: {priority: 3}\n" +
            $"health: {{interval_ms: 60000}}\nmodels:\n  - name: m\n    backends: [{_engine.Url}]\n  - name: other\n    backends: [{_engine.Url}]\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _engine.DisposeAsync();
    }

    [Theory]
    [InlineData("sk-a", "-100", "x-priority")]
    [InlineData("sk-a", "11", "x-priority")]
    [InlineData("sk-b", "-2147483648", "x-priority")]
    [InlineData("sk-c", "-1", "x-priority")]
    public async Task A_priority_outside_the_tenants_range_is_a_400_naming_the_field(string key, string priority, string param)
    {
        var request = TestGateway.Chat(stream: false, key);
        request.Headers.Add("x-priority", priority);

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, await ParamAsync(response));
        Assert.Equal(0, _engine.CompletionRequests);
    }

    [Theory]
    [InlineData("sk-a", "0")]
    [InlineData("sk-b", "3")]
    [InlineData("sk-c", null)]
    public async Task A_priority_within_the_range_or_none_is_served(string key, string? priority)
    {
        var request = TestGateway.Chat(stream: false, key);
        if (priority is not null) request.Headers.Add("x-priority", priority);

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_model_the_tenant_may_not_use_answers_as_if_it_did_not_exist()
    {
        using var refused = await _gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-a", model: "other"));
        using var served = await _gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-b", model: "other"));

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal("model", await ParamAsync(refused));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task The_model_list_shows_a_tenant_only_the_models_it_may_use()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { Authorization = new("Bearer", "sk-a") } };
        using var response = await _gateway.Client.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(["m"], json.RootElement.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()!).ToArray());
    }

    [Fact]
    public async Task A_tenant_at_its_max_in_flight_gets_429_while_others_are_served_and_everything_is_counted_by_tenant()
    {
        _engine.Hold = true;
        var running = _gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-a"));
        await TestGateway.EventuallyAsync(async () => _engine.Active == 1, "team-a's first request runs");

        using var refused = await _gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-a"));
        var other = _gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-b"));
        await TestGateway.EventuallyAsync(async () => _engine.Active == 2, "team-b's request runs beside it");
        _engine.Hold = false;
        _engine.Release();
        using (var first = await running) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var second = await other) Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using var again = await _gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-a"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, await _gateway.MetricAsync("strata_gateway_requests_rejected_total", ("reason", "tenant_limit"), ("tenant", "team-a")));
        Assert.Equal(2, await _gateway.MetricAsync("strata_gateway_requests_finished_total", ("tenant", "team-a"), ("outcome", "completed")));
        Assert.Equal(1, await _gateway.MetricAsync("strata_gateway_requests_accepted_total", ("tenant", "team-b")));
    }

    [Fact]
    public async Task A_tenant_that_floods_the_queue_fills_only_its_share_and_another_still_gets_in()
    {
        await using var engine = await FakeEngine.StartAsync("q");
        engine.Hold = true;
        await using var gateway = await TestGateway.StartAsync(
            "api_keys: {sk-a: team-a, sk-b: team-b}\ntenants:\n  team-a: {queue_share: 0.5}\n" +
            $"health: {{interval_ms: 60000}}\nmodels:\n  - name: m\n    backends: [{engine.Url}]\n    max_in_flight: 1\n    queue: {{name: fcfs, max_length: 4, ttl_s: 60}}\n");
        var flood = new List<Task<HttpResponseMessage>> { gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-a")) };
        await TestGateway.EventuallyAsync(async () => engine.Active == 1, "team-a's first request runs");
        for (var i = 0; i < 2; i++) flood.Add(gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-a")));
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_queue_length") == 2, "team-a fills its share, 2 of 4");

        using var overShare = await gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-a"));
        var other = gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-b"));
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_queue_length") == 3, "team-b still gets a place");
        engine.Hold = false;
        engine.Release();

        Assert.Equal(HttpStatusCode.TooManyRequests, overShare.StatusCode);
        Assert.Contains("queue_share", await overShare.Content.ReadAsStringAsync());
        using (var served = await other) Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        foreach (var response in await Task.WhenAll(flood)) using (response) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string?> ParamAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetProperty("param").GetString();
    }
}
