using System.Net;
using System.Net.Sockets;

namespace Strata.Serving.Tests;

/// <summary>
/// Loopback ports nothing listens on now, for the ZMQ publishers a test binds (a DP server's ranks take consecutive ones).
/// A port is found free here and bound later by the code under test, so it is drawn from below the kernel's ephemeral
/// range, where no <c>bind(0)</c> or outgoing connection of a concurrently running test can take it in between, and it
/// is never handed out twice in one test run.
/// </summary>
internal static class LoopbackPorts
{
    private const int Lowest = 20_000;
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Random Draw = new();

    /// <summary>The first of <paramref name="count"/> consecutive free ports.</summary>
    public static int Run(int count)
    {
        var highest = EphemeralStart() - count;
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = Draw.Next(Lowest, highest);
                var ports = Enumerable.Range(port, count).ToArray();
                if (ports.Any(HandedOut.Contains) || !ports.All(Free)) continue;
                HandedOut.UnionWith(ports);
                return port;
            }
        }
        throw new InvalidOperationException($"no run of {count} free loopback ports between {Lowest} and {highest}");
    }

    /// <summary>The first port the kernel hands out for <c>bind(0)</c> and outgoing connections (Linux's default when unreadable).</summary>
    private static int EphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var low) && low > Lowest + 1_000
            ? low
            : 32_768;
    }

    private static bool Free(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
