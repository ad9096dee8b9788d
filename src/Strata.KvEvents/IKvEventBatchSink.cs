namespace Strata.KvEvents;

/// <summary>
/// Where a <see cref="KvEventSubscriber"/> delivers what it decodes, on its own thread, in sequence order:
/// <see cref="KvEventIndexAdapter"/> turns batches into prefix-index updates.
/// </summary>
public interface IKvEventBatchSink
{
    /// <summary>The next batch of <paramref name="engine"/>'s events.</summary>
    void Apply(int engine, KvEventBatch batch);

    /// <summary>
    /// What <paramref name="engine"/> holds can no longer be known from the events seen: the publisher restarted,
    /// or batches were lost and could not be replayed. Forget everything the engine's events said.
    /// </summary>
    void Reset(int engine);
}
