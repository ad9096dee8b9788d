using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Strata.Serving.Tests.Gateway;

/// <summary>What bounds the gateway's memory under large bodies: the body bytes it holds at once, and its connections.</summary>
public sealed class MemoryBoundsTests
{
    private static HttpRequestMessage Sized(int bytes) => TestGateway.Chat(stream: false, content: new string('x', bytes));

    [Fact]
    public async Task A_body_that_would_go_over_max_body_bytes_in_flight_is_a_503_until_room_frees_up()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        engine.Hold = true;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], top: "max_body_bytes_in_flight: 3000\n"));

        var first = gateway.Client.SendAsync(Sized(2000));
        await TestGateway.EventuallyAsync(async () => engine.Active == 1, "the first body is held while its request runs");
        using (var refused = await gateway.Client.SendAsync(Sized(2000)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("max_body_bytes_in_flight", await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_rejected_total", ("reason", "body_budget")));

        engine.Hold = false;
        engine.Release();
        using (var done = await first) Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        using var after = await gateway.Client.SendAsync(Sized(2000));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Connections_beyond_max_connections_are_closed_unanswered()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], top: "max_connections: 2\n"));
        // Each of the first two is answered once, so Kestrel has counted it before the third arrives (its connection
        // middleware runs per connection, in no fixed order); both stay open (keep-alive).
        using var first = await OpenAsync(gateway);
        Assert.True(await HealthAsync(first.GetStream(), gateway) > 0);
        using var second = await OpenAsync(gateway);
        Assert.True(await HealthAsync(second.GetStream(), gateway) > 0);

        using var third = await OpenAsync(gateway);

        Assert.Equal(0, await HealthAsync(third.GetStream(), gateway));
    }

    [Theory]
    [InlineData(200_000, HttpStatusCode.OK)]
    [InlineData(300_000, HttpStatusCode.RequestEntityTooLarge)]
    public async Task A_chunked_body_is_read_whole_within_max_body_bytes_and_forwarded_with_its_length(int contentBytes, HttpStatusCode status)
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], top: "max_body_bytes: 250000\n"));
        var json = $"{{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{{\"role\":\"user\",\"content\":\"{new string('x', contentBytes)}\"}}]}}";
        // No Content-Length: the client streams the body in chunks of its own size.
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)), 4096);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        if (status == HttpStatusCode.OK) Assert.Equal(json, Assert.Single(engine.Received));
    }

    /// <summary>Sends GET /health on the connection and returns the bytes of the first read of the answer (0: closed unanswered, or reset).</summary>
    private static async Task<int> HealthAsync(NetworkStream stream, TestGateway gateway)
    {
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /health HTTP/1.1\r\nHost: {gateway.Url.Authority}\r\n\r\n"));
            return await stream.ReadAsync(new byte[4096]).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task<TcpClient> OpenAsync(TestGateway gateway)
    {
        var client = new TcpClient();
        await client.ConnectAsync(gateway.Url.Host, gateway.Url.Port);
        return client;
    }
}
