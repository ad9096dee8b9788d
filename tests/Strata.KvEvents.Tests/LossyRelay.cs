using NetMQ;
using NetMQ.Sockets;

namespace Strata.KvEvents.Tests;

/// <summary>
/// A network that loses messages on purpose: subscribes to a publisher and republishes each live message on its
/// own loopback port, except those whose sequence number <see cref="Drop"/> names. Replays bypass it.
/// </summary>
internal sealed class LossyRelay : IDisposable
{
    private readonly SubscriberSocket _in = new();
    private readonly PublisherSocket _out = new();
    private readonly NetMQPoller _poller;
    private readonly HashSet<long> _drop = [];

    public LossyRelay(string publisher)
    {
        var port = Loopback.FreePort();
        Endpoint = $"tcp://127.0.0.1:{port}";
        _out.Options.Linger = TimeSpan.Zero;
        _out.Bind(Endpoint);
        _in.Options.Linger = TimeSpan.Zero;
        _in.Connect(publisher);
        _in.SubscribeToAnyTopic();
        _in.ReceiveReady += (_, e) =>
        {
            var frames = e.Socket.ReceiveMultipartBytes();
            KvEventFrame.TryReadSequence(frames[1], out var sequence);
            lock (_drop)
                if (_drop.Remove(sequence)) return;
            _out.SendMultipartBytes(frames);
        };
        _poller = [_in];
        _poller.RunAsync();
    }

    /// <summary>Where subscribers connect instead of the publisher.</summary>
    public string Endpoint { get; }

    /// <summary>Loses the live messages with these sequence numbers.</summary>
    public void Drop(params long[] sequences)
    {
        lock (_drop) _drop.UnionWith(sequences);
    }

    public void Dispose()
    {
        _poller.Dispose();
        _in.Dispose();
        _out.Dispose();
    }
}
