using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Strata.Serving.Gateway;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Forwarding;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// The gateway's tests run in the mode <c>strata serve</c> runs in: socket completions inline on the
/// event thread (inline-sockets.runsettings sets the variable at the test host's start, as serve
/// sets it before its first socket) and Kestrel's inline scheduling (set by GatewayHost). A blocking
/// call on a request path then stalls or deadlocks the tests instead of hiding behind the pool.
/// </summary>
public sealed class InlineSocketModeTests
{
    [Fact]
    public async Task Socket_completions_run_on_the_event_thread_not_the_thread_pool()
    {
        // Fails when the runtime's socket engine started without the variable (e.g. set too late,
        // after the first socket): completions are then posted to the pool and this runs on it.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();

        var receive = server.ReceiveAsync(new byte[1].AsMemory(), SocketFlags.None); // pending: nothing sent yet
        Assert.False(receive.IsCompleted);
        var receiving = ReceiveOnAsync(receive); // its continuation is registered before the byte is sent
        await client.SendAsync(new byte[] { 1 }, SocketFlags.None);
        var (read, onPool) = await receiving;

        Assert.Equal(1, read);
        Assert.False(onPool, "the receive completed on a thread-pool thread: inline socket completions are off");
    }

    private static async Task<(int Read, bool OnPool)> ReceiveOnAsync(ValueTask<int> receive)
    {
        var read = await receive.ConfigureAwait(false);
        return (read, Thread.CurrentThread.IsThreadPoolThread);
    }

    [Fact]
    public async Task The_gateway_asks_kestrel_for_inline_scheduling()
    {
        var config = GatewayConfigFile.Parse("listen: http://127.0.0.1:0\nmodels:\n  - name: m\n    backends: [http://127.0.0.1:9]\n", "test.yaml");
        await using var app = GatewayHost.Build(new GatewayOptions(config, null));
        Assert.True(app.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }

    [Fact]
    public void The_upstream_body_has_no_blocking_read()
    {
        // YARP copies with ReadAsync only (every streaming test goes through it); a sync Read on the
        // socket thread would stall it, so it fails loudly instead.
        using var stream = new ObservedUpstreamStream(new MemoryStream([1]), null!); // Read must not reach the attempt
        Assert.Throws<NotSupportedException>(() => stream.Read(new byte[1], 0, 1));
    }
}
