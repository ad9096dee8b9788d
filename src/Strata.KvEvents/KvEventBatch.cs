namespace Strata.KvEvents;

/// <summary>
/// One published message's payload, vLLM's <c>KVEventBatch</c>: the engine's wall-clock time in Unix seconds,
/// its events in order, and the data-parallel rank that published them (null when the publisher left it out).
/// </summary>
public sealed record KvEventBatch(double Timestamp, IReadOnlyList<KvEvent> Events, int? DataParallelRank = null)
{
    public bool Equals(KvEventBatch? other) =>
        other is not null && Timestamp.Equals(other.Timestamp) && Events.SequenceEqual(other.Events) && DataParallelRank == other.DataParallelRank;

    public override int GetHashCode() => HashCode.Combine(Timestamp, Events.Count, DataParallelRank);
}
