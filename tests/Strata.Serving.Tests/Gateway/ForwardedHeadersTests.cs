using System.Net;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// What reaches the engine besides the body: no hop-by-hop headers (RFC 9110 section 7.6.1, the
/// fixed ones and those the client names in Connection), the engine's own Host, X-Forwarded-For
/// with the client's address appended, and the endpoint's path without the client's query string.
/// </summary>
public sealed class ForwardedHeadersTests
{
    [Fact]
    public async Task The_engine_gets_end_to_end_headers_only_its_own_host_an_appended_forwarded_for_and_no_query()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine]));
        var request = TestGateway.Post("/v1/chat/completions?debug=1", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        request.Headers.Host = "gateway.example";
        request.Headers.Connection.Add("X-Hop");
        request.Headers.Add("X-Hop", "for the gateway only");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-End-To-End", "kept");

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(engine.ReceivedHeads.TryDequeue(out var seen));
        Assert.Equal("/v1/chat/completions", seen.Target);
        Assert.False(seen.Headers.ContainsKey("X-Hop"));
        Assert.Equal("kept", seen.Headers["X-End-To-End"]);
        Assert.Equal(engine.Url.Authority, seen.Headers["Host"]);
        Assert.Equal("203.0.113.7, 127.0.0.1", seen.Headers["X-Forwarded-For"]);
    }
}
