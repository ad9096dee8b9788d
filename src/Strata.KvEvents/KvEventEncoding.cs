namespace Strata.KvEvents;

/// <summary>
/// How a publisher lays out each event inside the batch (the batch itself is always the array
/// <c>[ts, events, data_parallel_rank]</c>). Decoding accepts both, event by event.
/// </summary>
public enum KvEventEncoding
{
    /// <summary>
    /// msgspec <c>array_like</c> tagged arrays, <c>["BlockStored", block_hashes, …]</c>: what vLLM sent up to
    /// and including 0.23 and what every consumer reads.
    /// </summary>
    TaggedArrays,

    /// <summary>
    /// Tagged maps, <c>{"type": "BlockStored", "block_hashes": …}</c>: vLLM after PR #42892 (fields by name, so
    /// new fields no longer shift old ones).
    /// </summary>
    TaggedMaps,
}
