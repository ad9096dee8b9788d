using System.Net;

namespace Strata.Serving.Tests.Gateway;

/// <summary>The admission queue: bounded (429 + Retry-After when full), with a TTL (429), draining as engines free up.</summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task Full_queue_answers_429_with_retry_after_and_queued_requests_still_complete()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        engine.Hold = true;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], "    max_in_flight: 1\n    queue: {name: fcfs, max_length: 1, ttl_s: 60}\n"));

        var (running, queued) = await FillAsync(gateway, engine);

        using var rejected = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), rejected.Headers.RetryAfter?.Delta);
        Assert.Contains("rate_limit_exceeded", await rejected.Content.ReadAsStringAsync());

        engine.Hold = false;
        engine.Release();
        using var first = await running;
        using var second = await queued;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "completed")));
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "failed")));
        Assert.Equal(3, await gateway.MetricAsync("strata_gateway_requests_accepted_total"));
    }

    [Fact]
    public async Task A_request_that_outwaits_the_queue_ttl_gets_429()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        engine.Hold = true;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], "    max_in_flight: 1\n    queue: {name: sjf-aging, max_length: 10, ttl_s: 0.2}\n"));

        var running = gateway.Client.SendAsync(TestGateway.Chat(stream: false));
        await TestGateway.EventuallyAsync(async () => engine.Active == 1, "the first request reaches the engine");
        using var expired = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));

        Assert.Equal(HttpStatusCode.TooManyRequests, expired.StatusCode);
        Assert.Contains("in the queue", await expired.Content.ReadAsStringAsync());
        engine.Hold = false;
        engine.Release();
        using var first = await running;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
    }

    [Fact]
    public async Task The_queue_policy_orders_waiting_requests_by_priority_from_header_or_body()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        engine.Hold = true;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], "    max_in_flight: 1\n    queue: {name: priority}\n"));

        var running = gateway.Client.SendAsync(TestGateway.Chat(stream: false, content: "first"));
        await TestGateway.EventuallyAsync(async () => engine.Active == 1, "the first request reaches the engine");
        var low = gateway.Client.SendAsync(TestGateway.Post("/v1/chat/completions", "{\"model\":\"m\",\"priority\":5,\"messages\":[{\"role\":\"user\",\"content\":\"low\"}]}"));
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_queue_length") == 1, "the low-priority request waits");
        var urgentRequest = TestGateway.Chat(stream: false, content: "urgent");
        urgentRequest.Headers.Add("x-priority", "0");
        var urgent = gateway.Client.SendAsync(urgentRequest);
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_queue_length") == 2, "the urgent request waits");

        engine.Hold = false;
        engine.Release();
        await Task.WhenAll(running, low, urgent);

        var order = engine.Received.Select(body => body.Contains("urgent") ? "urgent" : body.Contains("low") ? "low" : "first").ToArray();
        Assert.Equal(["first", "urgent", "low"], order);
    }

    [Fact]
    public async Task Retry_after_is_measured_over_the_busy_spell_not_the_idle_time_before_it()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], "    max_in_flight: 1\n    queue: {name: fcfs, max_length: 1, ttl_s: 60}\n"));
        using (await gateway.Client.SendAsync(TestGateway.Chat(stream: false))) { }
        // Idle: one release 2.5 s back would read as 0.4 requests per second, and the 429 below as "retry in 5 s".
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        engine.Hold = true;
        var (running, queued) = await FillAsync(gateway, engine);
        using var rejected = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), rejected.Headers.RetryAfter?.Delta);
        engine.Hold = false;
        engine.Release();
        using var first = await running;
        using var second = await queued;
    }

    /// <summary>One request held on the engine (its one slot) and one waiting in the gateway's queue.</summary>
    private static async Task<(Task<HttpResponseMessage> Running, Task<HttpResponseMessage> Queued)> FillAsync(TestGateway gateway, FakeEngine engine)
    {
        var running = gateway.Client.SendAsync(TestGateway.Chat(stream: false));
        await TestGateway.EventuallyAsync(async () => engine.Active == 1, "the first request reaches the engine");
        var queued = gateway.Client.SendAsync(TestGateway.Chat(stream: false));
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_queue_length") == 1, "the second request waits in the queue");
        return (running, queued);
    }
}
