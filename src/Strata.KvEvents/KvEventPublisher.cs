using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace Strata.KvEvents;

/// <summary>
/// Publishes KV-event batches as a vLLM engine does (<c>ZmqEventPublisher</c>, vllm-project/vllm @ 0181ea31
/// <c>vllm/distributed/kv_events.py</c>): each batch goes out on PUB as <c>[topic, seq, payload]</c> with seq
/// counting from 0, and is kept in a ring of <see cref="KvEventPublisherOptions.BufferSteps"/> batches that the
/// ROUTER replay socket serves: a request <c>[seq]</c> is answered with <c>[seq, payload]</c> for every buffered
/// batch from seq on, then <c>[-1, empty]</c>. Both sockets live on one poller thread; <see cref="Publish(KvEventBatch)"/>
/// only enqueues, so any thread may call it.
/// </summary>
public sealed class KvEventPublisher : IDisposable
{
    private readonly KvEventPublisherOptions _options;
    private readonly byte[] _topic;
    private readonly PublisherSocket _pub;
    private readonly RouterSocket? _replay;
    private readonly NetMQQueue<KvEventBatch> _queue = new();
    private readonly NetMQPoller _poller;
    private readonly Queue<(long Sequence, byte[] Payload)> _buffer = new();
    private long _nextSequence;
    private long _published;
    private bool _disposed;

    public KvEventPublisher(KvEventPublisherOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BufferSteps);
        _options = options;
        _topic = Encoding.UTF8.GetBytes(options.Topic);
        Endpoint = KvEventEndpoint.ForRank(options.Endpoint, options.DataParallelRank);
        ReplayEndpoint = options.ReplayEndpoint is null ? null : KvEventEndpoint.ForRank(options.ReplayEndpoint, options.DataParallelRank);
        _pub = new PublisherSocket();
        _pub.Options.SendHighWatermark = options.HighWaterMark;
        _pub.Options.Linger = TimeSpan.Zero;
        if (KvEventEndpoint.IsBindAddress(Endpoint)) _pub.Bind(Endpoint);
        else _pub.Connect(Endpoint);
        _poller = [_pub, _queue];
        _queue.ReceiveReady += (_, e) =>
        {
            while (e.Queue.TryDequeue(out var batch, TimeSpan.Zero)) Send(batch);
        };
        if (ReplayEndpoint is not null)
        {
            _replay = new RouterSocket();
            _replay.Options.Linger = TimeSpan.Zero;
            _replay.Bind(ReplayEndpoint);
            _replay.ReceiveReady += (_, e) => ServeReplay(e.Socket);
            _poller.Add(_replay);
        }
        _poller.RunAsync($"kv-events-pub-{options.DataParallelRank}", isBackgroundThread: true);
    }

    /// <summary>The PUB endpoint after the DP-rank offset.</summary>
    public string Endpoint { get; }

    /// <summary>The ROUTER endpoint after the DP-rank offset, if replay is served.</summary>
    public string? ReplayEndpoint { get; }

    /// <summary>Batches sent so far (the next batch's sequence number).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Stamps <paramref name="events"/> with the wall clock and this publisher's DP rank, and queues them.</summary>
    public void Publish(IReadOnlyList<KvEvent> events) =>
        Publish(new KvEventBatch((DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalSeconds, events, _options.DataParallelRank));

    /// <summary>Queues <paramref name="batch"/>; a batch without a rank gets this publisher's, as vLLM's <c>publish</c> does.</summary>
    public void Publish(KvEventBatch batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _queue.Enqueue(batch.DataParallelRank is null ? batch with { DataParallelRank = _options.DataParallelRank } : batch);
    }

    private void Send(KvEventBatch batch)
    {
        var payload = KvEventCodec.Encode(batch, _options.Encoding);
        var sequence = _nextSequence++;
        _pub.SendMoreFrame(_topic).SendMoreFrame(KvEventFrame.Sequence(sequence)).SendFrame(payload);
        _buffer.Enqueue((sequence, payload));
        if (_buffer.Count > _options.BufferSteps) _buffer.Dequeue();
        Interlocked.Increment(ref _published);
    }

    /// <summary>Answers one replay request <c>[identity, empty, seq]</c>; any other shape is dropped, as vLLM does.</summary>
    private void ServeReplay(NetMQSocket router)
    {
        var frames = router.ReceiveMultipartBytes();
        if (frames.Count != 3 || !KvEventFrame.TryReadSequence(frames[2], out var start)) return;
        var client = frames[0];
        foreach (var (sequence, payload) in _buffer)
            if (sequence >= start)
                router.SendMoreFrame(client).SendMoreFrameEmpty().SendMoreFrame(KvEventFrame.Sequence(sequence)).SendFrame(payload);
        router.SendMoreFrame(client).SendMoreFrameEmpty().SendMoreFrame(KvEventFrame.Sequence(KvEventFrame.EndOfReplay)).SendFrame([]);
    }

    /// <summary>Stops the poller after it has sent what was queued, and closes both sockets.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _poller.Stop();
        while (_queue.TryDequeue(out var batch, TimeSpan.Zero)) Send(batch);
        _poller.Dispose();
        _queue.Dispose();
        _pub.Dispose();
        _replay?.Dispose();
    }
}
