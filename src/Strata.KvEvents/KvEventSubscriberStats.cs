namespace Strata.KvEvents;

/// <summary>A consistent snapshot of a subscriber's counters, for a metrics collector or a health check.</summary>
/// <param name="DegradedReason">Why the subscriber is <see cref="KvEventSubscriberState.Degraded"/>; null otherwise.</param>
/// <param name="SequenceResets">Times the engine's view was reset for a new publisher: its seq went back, or it was heard again after it had been presumed dead.</param>
/// <param name="LastSequence">The sequence number of the last batch applied; -1 before the first.</param>
/// <param name="LastEventTime">When the last batch arrived, by the subscriber's clock.</param>
public sealed record KvEventSubscriberStats(
    KvEventSubscriberState State,
    string? DegradedReason,
    long BatchesConsumed,
    long EventsConsumed,
    long GapsDetected,
    long GapsRecovered,
    long BadFrames,
    long SequenceResets,
    long LastSequence,
    DateTimeOffset? LastEventTime);
