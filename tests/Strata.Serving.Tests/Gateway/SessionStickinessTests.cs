namespace Strata.Serving.Tests.Gateway;

/// <summary>The <c>x-session-id</c> header keys session stickiness, as the body's <c>user</c> does.</summary>
public sealed class SessionStickinessTests
{
    [Fact]
    public async Task Requests_with_one_x_session_id_stay_on_one_engine()
    {
        await using var a = await FakeEngine.StartAsync("a");
        await using var b = await FakeEngine.StartAsync("b");
        // Round-robin underneath: without stickiness consecutive requests alternate engines.
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([a, b], "    dispatch: {name: sticky, inner: round-robin}\n"));

        foreach (var session in new[] { "s1", "s2", "s1", "s1", "s2", "s1" })
        {
            var request = TestGateway.Chat(stream: false, content: session);
            request.Headers.Add("x-session-id", session);
            using var response = await gateway.Client.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        // Each engine saw one session only, so each conversation's prefix cache stays warm.
        var onA = a.Received.Select(Session).Distinct().ToArray();
        var onB = b.Received.Select(Session).Distinct().ToArray();
        Assert.Single(onA);
        Assert.Single(onB);
        Assert.NotEqual(onA[0], onB[0]);
    }

    private static string Session(string body) => body.Contains("s1") ? "s1" : "s2";
}
