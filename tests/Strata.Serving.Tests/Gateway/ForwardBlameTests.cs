using System.Net;
using System.Net.Sockets;
using Strata.Serving.Gateway.Forwarding;
using Yarp.ReverseProxy.Forwarder;

namespace Strata.Serving.Tests.Gateway;

/// <summary>Whose fault a failed forward is, judged on the exceptions the gateway's real HTTP client throws.</summary>
public sealed class ForwardBlameTests
{
    [Fact]
    public async Task A_request_the_HTTP_client_will_not_send_is_the_clients_fault()
    {
        using var listener = Listen();
        var request = new HttpRequestMessage(HttpMethod.Post, Url(listener)) { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-A", "ü");

        Assert.Equal(Blame.Client, ForwardBlame.Of(ForwarderError.Request, await FailureAsync(request)));
    }

    [Fact]
    public async Task A_refused_connection_is_the_engines_fault()
    {
        Uri url;
        using (var listener = Listen()) url = Url(listener);

        Assert.Equal(Blame.Engine, ForwardBlame.Of(ForwarderError.Request, await FailureAsync(new HttpRequestMessage(HttpMethod.Post, url))));
    }

    [Fact]
    public async Task A_connection_the_engine_drops_after_taking_the_request_is_the_engines_fault()
    {
        using var listener = Listen();
        var drop = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.ReceiveAsync(new byte[4096]);
            socket.Close(0);
        });

        var failure = await FailureAsync(new HttpRequestMessage(HttpMethod.Post, Url(listener)) { Content = new StringContent("{}") });
        await drop;
        Assert.Equal(Blame.Engine, ForwardBlame.Of(ForwarderError.Request, failure));
    }

    [Theory]
    [InlineData(ForwarderError.RequestTimedOut, Blame.Engine)]
    [InlineData(ForwarderError.RequestBodyDestination, Blame.Engine)]
    [InlineData(ForwarderError.ResponseBodyDestination, Blame.Engine)]
    [InlineData(ForwarderError.RequestCanceled, Blame.ClientGone)]
    [InlineData(ForwarderError.RequestBodyClient, Blame.ClientGone)]
    [InlineData(ForwarderError.ResponseBodyClient, Blame.ClientGone)]
    [InlineData(ForwarderError.ResponseBodyCanceled, Blame.ClientGone)]
    public void Each_forwarder_error_names_whose_side_failed(ForwarderError error, Blame blame) =>
        Assert.Equal(blame, ForwardBlame.Of(error, new IOException("stand-in")));

    private static async Task<Exception> FailureAsync(HttpRequestMessage request)
    {
        using var invoker = new ForwarderInvoker();
        return await Assert.ThrowsAnyAsync<Exception>(() => invoker.Client.SendAsync(request, CancellationToken.None));
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static Uri Url(TcpListener listener) => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
}
