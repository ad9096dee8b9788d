using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace Strata.KvEvents;

/// <summary>
/// Follows one engine DP rank's KV events on a thread of its own: a SUB socket takes the live
/// <c>[topic, seq, payload]</c> messages, a DEALER asks the engine's replay ROUTER for what was missed, and each
/// decoded batch goes to the <see cref="IKvEventBatchSink"/> in sequence order.
/// <list type="bullet">
/// <item>A live seq past the next expected one is a gap: the missing batches are replayed (request
/// <c>[empty, seq]</c>, replies <c>[empty, seq, payload]</c> up to <c>[empty, -1, empty]</c>). If the replay
/// lacks any of them the sink's engine is <see cref="IKvEventBatchSink.Reset"/> and the state is Degraded.</item>
/// <item>After <see cref="KvEventSubscriberOptions.LivenessInterval"/> of silence the replay socket is probed
/// from the next expected seq (delivering anything missed); no answer within
/// <see cref="KvEventSubscriberOptions.ReplyTimeout"/> presumes the publisher dead and makes the state Degraded.</item>
/// <item>A live seq not past the previous live one means the publisher restarted (vLLM counts from 0 again), and
/// so may the first batch from a publisher presumed dead: the engine is reset and the publisher's batches from 0
/// are replayed.</item>
/// <item>The first batch is taken as it comes: what the engine held before it is not replayed.</item>
/// </list>
/// Bad frames and undecodable payloads are counted, never thrown: an undecodable batch resets the engine, as its
/// events are lost. Reading <see cref="Stats"/> is safe from any thread.
/// </summary>
public sealed class KvEventSubscriber : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly KvEventSubscriberOptions _options;
    private readonly int _engine;
    private readonly IKvEventBatchSink _sink;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly Lock _statsLock = new();
    private KvEventSubscriberStats _stats = new(KvEventSubscriberState.Connecting, null, 0, 0, 0, 0, 0, 0, -1, null);
    private long _lastLive = -1;
    private bool _presumedDead;
    private DealerSocket? _dealer;

    /// <summary>Starts following <paramref name="options"/>'s endpoints; batches go to <paramref name="sink"/> as <paramref name="engine"/>'s.</summary>
    public KvEventSubscriber(KvEventSubscriberOptions options, int engine, IKvEventBatchSink sink, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(engine);
        _options = options;
        _engine = engine;
        _sink = sink;
        _clock = clock ?? TimeProvider.System;
        Endpoint = KvEventEndpoint.ForRank(options.Endpoint, options.DataParallelRank);
        ReplayEndpoint = options.ReplayEndpoint is null ? null : KvEventEndpoint.ForRank(options.ReplayEndpoint, options.DataParallelRank);
        _thread = new Thread(Run) { IsBackground = true, Name = $"kv-events-sub-{engine}" };
        _thread.Start();
    }

    /// <summary>The SUB endpoint after the DP-rank offset.</summary>
    public string Endpoint { get; }

    /// <summary>The replay endpoint after the DP-rank offset, if any.</summary>
    public string? ReplayEndpoint { get; }

    public KvEventSubscriberStats Stats
    {
        get { lock (_statsLock) return _stats; }
    }

    private void Run()
    {
        using var sub = new SubscriberSocket();
        sub.Options.Linger = TimeSpan.Zero;
        sub.Connect(Endpoint);
        sub.Subscribe(Encoding.UTF8.GetBytes(_options.Topic));
        var frames = new List<byte[]>(3);
        var lastHeard = _clock.GetTimestamp();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (sub.TryReceiveMultipartBytes(PollInterval, ref frames, 3))
                {
                    lastHeard = _clock.GetTimestamp();
                    Guard(() => OnLive(frames));
                }
                else if (ReplayEndpoint is not null && _clock.GetElapsedTime(lastHeard) >= _options.LivenessInterval)
                {
                    Guard(Probe);
                    lastHeard = _clock.GetTimestamp();
                }
            }
        }
        finally
        {
            _dealer?.Dispose();
        }
    }

    /// <summary>Runs one step; a sink that throws degrades the subscriber instead of ending its thread.</summary>
    private void Guard(Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Update(s => s with { State = KvEventSubscriberState.Degraded, DegradedReason = $"{e.GetType().Name}: {e.Message}" });
        }
    }

    private void OnLive(List<byte[]> frames)
    {
        if (frames.Count != 3 || !KvEventFrame.TryReadSequence(frames[1], out var sequence) || sequence < 0)
        {
            Update(s => s with { BadFrames = s.BadFrames + 1 });
            return;
        }
        var previousLive = _lastLive;
        _lastLive = sequence;
        var expected = Stats.LastSequence + 1;
        // SUB delivers one publisher's messages in order, so a seq that goes back is a new publisher; one heard again
        // after it stopped answering may be a new one too, whose seq has not yet caught up with the old one's.
        if (_presumedDead || (previousLive >= 0 && sequence <= previousLive))
        {
            _presumedDead = false;
            _sink.Reset(_engine);
            Update(s => s with { SequenceResets = s.SequenceResets + 1, LastSequence = -1 });
            expected = 0;
        }
        else if (sequence < expected) return; // already applied from a replay
        else if (previousLive < 0 && expected == 0) expected = sequence; // the first batch: what came before is not replayed

        var healthy = true;
        if (sequence > expected)
        {
            Update(s => s with { GapsDetected = s.GapsDetected + 1 });
            healthy = Recover(expected, sequence, out var reason);
            if (healthy) Update(s => s with { GapsRecovered = s.GapsRecovered + 1 });
            else Lose(sequence - 1, $"batches {expected}–{sequence - 1} were lost and {reason}");
        }
        if (!Deliver(sequence, frames[2]) || !healthy) return;
        Update(s => s with { State = KvEventSubscriberState.Healthy, DegradedReason = null });
    }

    /// <summary>Decodes and applies one batch; an undecodable one is counted, and its engine reset.</summary>
    private bool Deliver(long sequence, byte[] payload)
    {
        KvEventBatch batch;
        try
        {
            batch = KvEventCodec.Decode(payload);
        }
        catch (KvEventFormatException e)
        {
            Update(s => s with { BadFrames = s.BadFrames + 1 });
            Lose(sequence, $"batch {sequence} did not decode: {e.Message}");
            return false;
        }
        _sink.Apply(_engine, batch);
        var now = _clock.GetUtcNow();
        Update(s => s with
        {
            BatchesConsumed = s.BatchesConsumed + 1, EventsConsumed = s.EventsConsumed + batch.Events.Count,
            LastSequence = sequence, LastEventTime = now,
        });
        return true;
    }

    /// <summary>The engine's view missed batches through <paramref name="through"/>: reset it and carry on from there.</summary>
    private void Lose(long through, string reason)
    {
        _sink.Reset(_engine);
        Update(s => s with { State = KvEventSubscriberState.Degraded, DegradedReason = reason, LastSequence = through });
    }

    /// <summary>Replays batches from <paramref name="from"/> up to (not including) <paramref name="until"/>; true if none is missing.</summary>
    private bool Recover(long from, long until, out string reason)
    {
        if (ReplayEndpoint is null)
        {
            reason = "no replay endpoint is configured";
            return false;
        }
        if (!Replay(from, until, out var firstReplied))
        {
            reason = $"the replay from {ReplayEndpoint} did not finish within {_options.ReplyTimeout.TotalSeconds:0.###} s";
            return false;
        }
        reason = firstReplied < 0
            ? $"the replay from {ReplayEndpoint} held none of them"
            : $"the replay from {ReplayEndpoint} started at {firstReplied} (its buffer had moved on)";
        return Stats.LastSequence >= until - 1;
    }

    /// <summary>
    /// Silence: asks for anything after the last batch, which both proves the publisher alive and fetches what was
    /// missed. Before the first batch, or once the publisher is presumed dead (whatever answers may be a new
    /// publisher, whose batches must not be taken for the old one's), it asks from the largest seq, which is
    /// answered with the end marker alone.
    /// </summary>
    private void Probe()
    {
        var from = _presumedDead || Stats.LastSequence < 0 ? long.MaxValue : Stats.LastSequence + 1;
        if (!Replay(from, long.MaxValue, out _))
        {
            _presumedDead = true;
            Update(s => s with
            {
                State = KvEventSubscriberState.Degraded,
                DegradedReason = $"the publisher at {ReplayEndpoint} did not answer a replay probe within {_options.ReplyTimeout.TotalSeconds:0.###} s after {_options.LivenessInterval.TotalSeconds:0.###} s of silence",
            });
            return;
        }
        if (_presumedDead)
            Update(s => s with { DegradedReason = $"the publisher at {ReplayEndpoint} answers again; the engine's view is rebuilt from its next batch" });
        else if (Stats.LastSequence >= from) // batches were lost before the silence, and the probe brought them
            Update(s => s with { GapsDetected = s.GapsDetected + 1, GapsRecovered = s.GapsRecovered + 1 });
    }

    /// <summary>
    /// One replay exchange: applies each replied batch that directly follows the last applied one and is before
    /// <paramref name="until"/>; false if the end marker did not come in time (the DEALER is then replaced, so a
    /// late answer cannot be mistaken for the next one). <paramref name="firstReplied"/> is the first seq the replay held.
    /// </summary>
    private bool Replay(long from, long until, out long firstReplied)
    {
        firstReplied = -1;
        _dealer ??= NewDealer();
        _dealer.SendMoreFrameEmpty().SendFrame(KvEventFrame.Sequence(from));
        var frames = new List<byte[]>(3);
        while (true)
        {
            if (!_dealer.TryReceiveMultipartBytes(_options.ReplyTimeout, ref frames, 3))
            {
                _dealer.Dispose();
                _dealer = null;
                return false;
            }
            if (frames.Count != 3 || frames[0].Length != 0 || !KvEventFrame.TryReadSequence(frames[1], out var sequence))
            {
                Update(s => s with { BadFrames = s.BadFrames + 1 });
                continue;
            }
            if (sequence == KvEventFrame.EndOfReplay) return true;
            if (firstReplied < 0) firstReplied = sequence;
            if (sequence == Stats.LastSequence + 1 && sequence < until) Deliver(sequence, frames[2]);
        }
    }

    private DealerSocket NewDealer()
    {
        var dealer = new DealerSocket();
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Connect(ReplayEndpoint!);
        return dealer;
    }

    private void Update(Func<KvEventSubscriberStats, KvEventSubscriberStats> change)
    {
        lock (_statsLock) _stats = change(_stats);
    }

    /// <summary>Stops the thread (within one poll interval) and closes its sockets.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
