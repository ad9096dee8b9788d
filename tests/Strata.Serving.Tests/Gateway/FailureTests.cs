using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Strata.Serving.Tests.Gateway;

/// <summary>Failure semantics: retry before the first byte, an SSE error event after it, nothing accepted is ever lost.</summary>
public sealed class FailureTests
{
    [Fact]
    public async Task A_5xx_before_the_first_byte_is_retried_on_another_engine()
    {
        await using var failing = await FakeEngine.StartAsync("bad");
        await using var good = await FakeEngine.StartAsync("good");
        failing.Failure = FakeFailure.Error500;
        // round-robin makes the first request try the failing engine first.
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([failing, good], "    dispatch: {name: round-robin}\n"));

        for (var i = 0; i < 4; i++)
        {
            using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: true));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(good.StreamBody(chat: true), await response.Content.ReadAsStringAsync());
        }
        Assert.True(failing.CompletionRequests >= 1);
        Assert.Equal(failing.CompletionRequests, await gateway.MetricAsync("strata_gateway_retries_total", ("backend", failing.Url.AbsoluteUri.TrimEnd('/'))));
        Assert.Equal(4, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "completed")));
    }

    [Fact]
    public async Task A_refused_connection_is_retried_on_another_engine()
    {
        await using var good = await FakeEngine.StartAsync("good");
        var refused = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        await using var gateway = await TestGateway.StartAsync(
            $"health: {{interval_ms: 60000}}\nmodels:\n  - name: m\n    backends: [{refused}, {good.Url}]\n    dispatch: {{name: round-robin}}\n");

        for (var i = 0; i < 4; i++)
        {
            using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.True(await gateway.MetricAsync("strata_gateway_retries_total", ("backend", refused.AbsoluteUri.TrimEnd('/'))) >= 1);
    }

    [Fact]
    public async Task With_no_retries_left_an_engines_5xx_reaches_the_client_as_it_is()
    {
        await using var failing = await FakeEngine.StartAsync("bad");
        failing.Failure = FakeFailure.Error500;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([failing], top: "retries: 0\n"));

        using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));

        // With no retry possible the engine's own 500 answer is the client's answer.
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("engine failure", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "failed")));
    }

    [Fact]
    public async Task With_no_engine_left_to_try_the_client_gets_a_502_naming_the_engine()
    {
        var refused = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        await using var gateway = await TestGateway.StartAsync($"retries: 0\nhealth: {{interval_ms: 60000}}\nmodels:\n  - name: m\n    backends: [{refused}]\n");

        using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: true));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains(refused.AbsoluteUri.TrimEnd('/'), await response.Content.ReadAsStringAsync());
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "failed")));
    }

    [Theory]
    [InlineData(FakeFailure.DieMidStream)]
    [InlineData(FakeFailure.StallMidStream)]
    public async Task A_stream_that_breaks_after_the_first_byte_ends_with_an_SSE_error_event(FakeFailure failure)
    {
        await using var engine = await FakeEngine.StartAsync("a");
        engine.Failure = failure;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], top: "upstream_idle_timeout_s: 0.5\n"));

        using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: true), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var body = new System.Text.StringBuilder();
        while (body.ToString().Split("\n\n").Length < 3) body.Append((char)reader.Read());
        engine.Break();
        body.Append(await reader.ReadToEndAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = body.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, events.Length);
        Assert.StartsWith("data: {\"id\"", events[0]);
        Assert.StartsWith("data: {\"id\"", events[1]);
        using var error = JsonDocument.Parse(events[2]["data: ".Length..]);
        Assert.Equal("upstream_error", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "failed")));
    }

    [Fact]
    public async Task Killing_an_engine_mid_run_loses_no_accepted_request_and_the_gateway_keeps_serving()
    {
        await using var victim = await FakeEngine.StartAsync("victim");
        await using var survivor = await FakeEngine.StartAsync("survivor");
        foreach (var engine in new[] { victim, survivor }) (engine.Chunks, engine.ChunkDelay) = (20, TimeSpan.FromMilliseconds(20));
        victim.StreamsStartedTarget = 3;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([victim, survivor], "    dispatch: {name: round-robin}\n"));

        const int requests = 40;
        var clients = Enumerable.Range(0, requests).Select(async _ =>
        {
            using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: true));
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, body);
        }).ToList();
        await victim.StreamsStartedSignal.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await victim.KillAsync();
        var results = await Task.WhenAll(clients);

        // Every client got a whole stream or an explicit error — none hung, none got a silent truncation.
        foreach (var (status, body) in results)
            Assert.True(body.EndsWith("data: [DONE]\n\n") || body.Contains("\"error\""), $"{status}: {body}");
        await TestGateway.EventuallyAsync(async () =>
        {
            var accepted = await gateway.MetricAsync("strata_gateway_requests_accepted_total");
            var finished = await gateway.MetricAsync("strata_gateway_requests_finished_total");
            return accepted == requests && finished == requests;
        }, "completed + failed + cancelled == accepted");
        Assert.Equal(0, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "cancelled")));

        using var after = await gateway.Client.SendAsync(TestGateway.Chat(stream: true));
        Assert.Equal(survivor.StreamBody(chat: true), await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_client_abort_cancels_the_upstream_request()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        (engine.Chunks, engine.ChunkDelay) = (1000, TimeSpan.FromMilliseconds(20));
        // One failure would take the engine out: the client leaving must not count as one.
        await using var gateway = await TestGateway.StartAsync($"health: {{interval_ms: 60000, failures: 1, reactivation_s: 60}}\nmodels:\n  - name: m\n    backends: [{engine.Url}]\n");

        using (var cancel = new CancellationTokenSource())
        {
            using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: true), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            Assert.True(await stream.ReadAsync(new byte[64], cancel.Token) > 0);
            cancel.Cancel();
        }

        await engine.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await TestGateway.EventuallyAsync(async () =>
            await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "cancelled")) == 1
            && await gateway.MetricAsync("strata_gateway_backend_in_flight") == 0, "the gateway releases the cancelled request");
        Assert.True(gateway.State.Models["m"].Backends[0].Health.IsHealthy);
    }

    [Fact]
    public async Task An_engines_4xx_is_its_answer_not_retried_and_leaves_it_in_service()
    {
        await using var judging = await FakeEngine.StartAsync("judging");
        await using var other = await FakeEngine.StartAsync("other");
        judging.Failure = FakeFailure.Error400;
        await using var gateway = await TestGateway.StartAsync(
            $"health: {{interval_ms: 60000, failures: 1, reactivation_s: 60}}\nmodels:\n  - name: m\n    backends: [{judging.Url}, {other.Url}]\n    dispatch: {{name: round-robin}}\n");

        using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("engine failure 400", await response.Content.ReadAsStringAsync());
        Assert.Equal((1, 0), (judging.CompletionRequests, other.CompletionRequests));
        Assert.Equal(0, await gateway.MetricAsync("strata_gateway_retries_total"));
        Assert.All(gateway.State.Models["m"].Backends, backend => Assert.True(backend.Health.IsHealthy, backend.Name));
    }

    [Fact]
    public async Task A_failing_health_check_takes_an_engine_out_and_a_passing_one_brings_it_back()
    {
        await using var sick = await FakeEngine.StartAsync("sick");
        await using var well = await FakeEngine.StartAsync("well");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([sick, well], "    dispatch: {name: round-robin}\n"));
        var sickName = sick.Url.AbsoluteUri.TrimEnd('/');
        // The gauge reads 0 until the first probe: wait for that probe, or "taken out" could pass before it ran.
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_backend_healthy", ("backend", sickName)) == 1, "the first probe finds the engine healthy");

        sick.Healthy = false;
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_backend_healthy", ("backend", sickName)) == 0, "the probe takes the engine out");
        var before = sick.CompletionRequests;
        for (var i = 0; i < 4; i++) using (await gateway.Client.SendAsync(TestGateway.Chat(stream: false))) { }
        Assert.Equal(before, sick.CompletionRequests);

        sick.Healthy = true;
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_backend_healthy", ("backend", sickName)) == 1, "the probe brings the engine back");
        for (var i = 0; i < 4; i++) using (await gateway.Client.SendAsync(TestGateway.Chat(stream: false))) { }
        Assert.True(sick.CompletionRequests > before);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
