using System.Net;
using System.Net.Sockets;

namespace Strata.KvEvents.Tests;

/// <summary>Loopback endpoints on free ports, and waiting for what another thread does.</summary>
internal static class Loopback
{
    /// <summary>A tcp port nothing listens on now (the OS's pick for port 0).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A publisher binding a free port, with replay on another, and the subscriber options that reach both.</summary>
    public static (KvEventPublisherOptions Publisher, KvEventSubscriberOptions Subscriber) Endpoints()
    {
        var (port, replay) = (FreePort(), FreePort());
        return (new KvEventPublisherOptions { Endpoint = $"tcp://*:{port}", ReplayEndpoint = $"tcp://*:{replay}" },
            new KvEventSubscriberOptions { Endpoint = $"tcp://127.0.0.1:{port}", ReplayEndpoint = $"tcp://127.0.0.1:{replay}" });
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after 15 s.</summary>
    public static void Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            Thread.Sleep(20);
        }
    }
}
