using System.Net;
using System.Net.Sockets;

namespace Strata.Serving.Tests;

/// <summary>Loopback ports nothing listens on now, for the ZMQ publishers a test binds (a DP server's ranks take consecutive ones).</summary>
internal static class LoopbackPorts
{
    /// <summary>The first of <paramref name="count"/> consecutive free ports.</summary>
    public static int Run(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            if (port + count >= 65535) continue;
            var free = Enumerable.Range(1, count - 1).All(i =>
            {
                try
                {
                    using var next = new TcpListener(IPAddress.Loopback, port + i);
                    next.Start();
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            });
            if (free) return port;
        }
        throw new InvalidOperationException("no run of free loopback ports");
    }
}
