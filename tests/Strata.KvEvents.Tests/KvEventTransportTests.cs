using NetMQ;
using NetMQ.Sockets;

namespace Strata.KvEvents.Tests;

/// <summary>
/// Publisher and subscriber over real tcp on loopback: batches arrive in order, a lost batch is replayed, a loss
/// the replay buffer no longer covers resets the engine and degrades the subscriber, a dead publisher degrades it,
/// a restarted one resets the engine, and bad frames are counted, not thrown.
/// </summary>
public sealed class KvEventTransportTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Publishes numbered batches until the subscriber has taken one (a SUB socket misses what is sent before it
    /// has connected); returns the number of the next batch.
    /// </summary>
    private static int WarmUp(KvEventPublisher publisher, KvEventSubscriber subscriber)
    {
        var n = 0;
        Loopback.Eventually(() =>
        {
            publisher.Publish(SampleBatches.Numbered(n++));
            Thread.Sleep(30);
            return subscriber.Stats.BatchesConsumed > 0;
        }, "the subscriber has connected");
        Loopback.Eventually(() => publisher.Published == n && subscriber.Stats.LastSequence == n - 1, "the warm-up batches are through");
        return n;
    }

    [Fact]
    public void Batches_arrive_decoded_in_order_for_the_subscribers_engine_on_the_ranks_port()
    {
        var (pub, sub) = Loopback.Endpoints();
        using var publisher = new KvEventPublisher(pub with { DataParallelRank = 2, Encoding = KvEventEncoding.TaggedMaps, Topic = "kv" });
        var sink = new RecordingSink();
        using var subscriber = new KvEventSubscriber(sub with { DataParallelRank = 2, Topic = "kv" }, engine: 5, sink);
        Assert.EndsWith(":" + (int.Parse(pub.Endpoint.Split(':')[^1]) + 2), publisher.Endpoint);
        Assert.Equal(publisher.Endpoint.Split(':')[^1], subscriber.Endpoint.Split(':')[^1]);

        var next = WarmUp(publisher, subscriber);
        for (var n = next; n < next + 20; n++) publisher.Publish(SampleBatches.Numbered(n, rank: null));
        Loopback.Eventually(() => subscriber.Stats.LastSequence == next + 19, "all batches are consumed");

        // A batch without a rank is stamped with the publisher's.
        var received = sink.Batches;
        Assert.Equal(Enumerable.Range(next, 20).Select(n => SampleBatches.Numbered(n, rank: 2)), received.TakeLast(20));
        var stats = subscriber.Stats;
        Assert.Equal(KvEventSubscriberState.Healthy, stats.State);
        Assert.Equal((received.Count, 0L, 0L), (stats.BatchesConsumed, stats.GapsDetected, stats.BadFrames));
        Assert.Equal(received.Sum(b => (long)b.Events.Count), stats.EventsConsumed);
        Assert.NotNull(stats.LastEventTime);
        Assert.Equal([5], sink.Engines);
    }

    /// <summary>A publisher, a lossy relay and a subscriber behind it, warmed up.</summary>
    private sealed class LossyLink : IDisposable
    {
        public LossyLink(int bufferSteps, TimeSpan? livenessInterval = null)
        {
            var (pub, sub) = Loopback.Endpoints();
            Publisher = new KvEventPublisher(pub with { BufferSteps = bufferSteps });
            Relay = new LossyRelay(sub.Endpoint);
            Subscriber = new KvEventSubscriber(sub with { Endpoint = Relay.Endpoint, LivenessInterval = livenessInterval ?? sub.LivenessInterval }, 0, Sink);
            Next = WarmUp(Publisher, Subscriber);
        }

        public KvEventPublisher Publisher { get; }
        public LossyRelay Relay { get; }
        public KvEventSubscriber Subscriber { get; }
        public RecordingSink Sink { get; } = new();

        /// <summary>The number, and sequence number, of the first batch after the warm-up.</summary>
        public int Next { get; }

        /// <summary>Publishes batches <see cref="Next"/> on, <paramref name="count"/> of them, losing those at <paramref name="lost"/> after it; waits for the last.</summary>
        public void PublishLosing(int count, params int[] lost)
        {
            Relay.Drop([.. lost.Select(offset => (long)Next + offset)]);
            for (var n = Next; n < Next + count; n++) Publisher.Publish(SampleBatches.Numbered(n));
            Loopback.Eventually(() => Subscriber.Stats.LastSequence == Next + count - 1, "the last batch is consumed");
        }

        public void Dispose()
        {
            Subscriber.Dispose();
            Relay.Dispose();
            Publisher.Dispose();
        }
    }

    [Fact]
    public void Lost_batches_are_detected_and_replayed_in_order()
    {
        using var link = new LossyLink(bufferSteps: 10_000);

        link.PublishLosing(6, 0, 1, 3);

        var stats = link.Subscriber.Stats;
        Assert.Equal((2L, 2L, KvEventSubscriberState.Healthy), (stats.GapsDetected, stats.GapsRecovered, stats.State));
        Assert.Equal(Enumerable.Range(link.Next, 6).Select(n => SampleBatches.Numbered(n)), link.Sink.Batches.TakeLast(6));
        Assert.Equal(0, link.Sink.Resets);
    }

    [Fact]
    public void Batches_lost_before_a_silence_are_fetched_by_the_liveness_probe()
    {
        using var link = new LossyLink(bufferSteps: 10_000, livenessInterval: Quick);

        link.PublishLosing(3, 1, 2); // the last two never arrive live

        var stats = link.Subscriber.Stats;
        Assert.Equal((1L, 1L, KvEventSubscriberState.Healthy), (stats.GapsDetected, stats.GapsRecovered, stats.State));
        Assert.Equal(Enumerable.Range(link.Next, 3).Select(n => SampleBatches.Numbered(n)), link.Sink.Batches.TakeLast(3));
    }

    [Fact]
    public void A_loss_the_replay_buffer_no_longer_holds_resets_the_engine_and_degrades()
    {
        using var link = new LossyLink(bufferSteps: 2);

        link.PublishLosing(4, 0, 1, 2);

        var stats = link.Subscriber.Stats;
        Assert.Equal((1L, 0L, KvEventSubscriberState.Degraded), (stats.GapsDetected, stats.GapsRecovered, stats.State));
        Assert.Contains($"batches {link.Next}–{link.Next + 2} were lost", stats.DegradedReason);
        Assert.Equal(1, link.Sink.Resets);
        Assert.Equal(SampleBatches.Numbered(link.Next + 3), link.Sink.Batches[^1]);

        // The next batch in order heals it: the engine's view was rebuilt from the reset on.
        link.Publisher.Publish(SampleBatches.Numbered(link.Next + 4));
        Loopback.Eventually(() => link.Subscriber.Stats.State == KvEventSubscriberState.Healthy, "the next batch heals the subscriber");
    }

    [Fact]
    public void A_dead_publisher_degrades_the_subscriber_and_a_restarted_one_resets_the_engine()
    {
        var (pub, sub) = Loopback.Endpoints();
        var sink = new RecordingSink();
        using var subscriber = new KvEventSubscriber(sub with { LivenessInterval = Quick }, 0, sink);
        int before, published;
        using (var publisher = new KvEventPublisher(pub))
        {
            published = WarmUp(publisher, subscriber);
            for (var n = published; n < published + 5; n++) publisher.Publish(SampleBatches.Numbered(n));
            published += 5;
            Loopback.Eventually(() => subscriber.Stats.LastSequence == published - 1, "the batches are consumed");
            Thread.Sleep(3 * Quick); // idle, not dead: probes are answered
            Assert.Equal(KvEventSubscriberState.Healthy, subscriber.Stats.State);
            before = sink.Batches.Count;
        }

        Loopback.Eventually(() => subscriber.Stats.State == KvEventSubscriberState.Degraded, "the silent publisher degrades the subscriber");
        Assert.Contains("did not answer a replay probe", subscriber.Stats.DegradedReason);

        // The new publisher's numbers overtake the old one's before the subscriber hears it: only having presumed
        // the old one dead tells the subscriber that these batches are not the old one's continuation.
        using var restarted = new KvEventPublisher(pub);
        for (var n = 0; n < published + 10; n++) restarted.Publish(SampleBatches.Numbered(100 + n));
        Loopback.Eventually(() =>
        {
            restarted.Publish(SampleBatches.Numbered(100 + (int)restarted.Published));
            Thread.Sleep(100);
            return subscriber.Stats.State == KvEventSubscriberState.Healthy;
        }, "the restarted publisher's batches heal the subscriber");
        Assert.Equal((1L, 1), (subscriber.Stats.SequenceResets, sink.Resets));
        // Its batches from 0 were replayed after the reset, so the engine's view starts at the new publisher's first batch.
        Assert.Equal(SampleBatches.Numbered(100), sink.Batches[before]);
    }

    [Fact]
    public void Bad_frames_and_undecodable_payloads_are_counted_not_thrown()
    {
        var port = Loopback.FreePort();
        using var raw = new PublisherSocket();
        raw.Options.Linger = TimeSpan.Zero;
        raw.Bind($"tcp://127.0.0.1:{port}");
        var sink = new RecordingSink();
        using var subscriber = new KvEventSubscriber(new KvEventSubscriberOptions { Endpoint = $"tcp://127.0.0.1:{port}" }, 0, sink);
        var sequence = 0L;
        void Send(params byte[][] frames) => raw.SendMultipartBytes(frames);
        Loopback.Eventually(() =>
        {
            Send([], KvEventFrame.Sequence(sequence++), KvEventCodec.Encode(SampleBatches.Numbered(0)));
            Thread.Sleep(30);
            return subscriber.Stats.BatchesConsumed > 0;
        }, "the subscriber has connected");
        Loopback.Eventually(() => subscriber.Stats.LastSequence == sequence - 1, "the warm-up batches are through");

        Send([], [1, 2, 3], KvEventCodec.Encode(SampleBatches.Numbered(1))); // a short sequence frame
        Send([], KvEventFrame.Sequence(sequence++)); // two frames
        Send([], KvEventFrame.Sequence(sequence++), [0xc1]); // 0xc1 is never valid msgpack
        Loopback.Eventually(() => subscriber.Stats.BadFrames == 3, "the bad frames are counted");
        var degraded = subscriber.Stats;
        Assert.Equal(KvEventSubscriberState.Degraded, degraded.State);
        Assert.Contains($"batch {sequence - 1} did not decode", degraded.DegradedReason);

        Send([], KvEventFrame.Sequence(sequence++), KvEventCodec.Encode(SampleBatches.Numbered(2)));
        Loopback.Eventually(() => subscriber.Stats.State == KvEventSubscriberState.Healthy, "a good batch in order heals the subscriber");
        Assert.Equal(SampleBatches.Numbered(2), sink.Batches[^1]);
    }
}
