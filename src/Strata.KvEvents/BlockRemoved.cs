namespace Strata.KvEvents;

/// <summary>Blocks were evicted from the engine's cache (vLLM's <c>BlockRemoved</c>), named by the engine's hashes.</summary>
public sealed record BlockRemoved(IReadOnlyList<EngineBlockHash> BlockHashes, string? Medium = null, long? GroupIdx = null) : KvEvent
{
    public bool Equals(BlockRemoved? other) =>
        other is not null && BlockHashes.SequenceEqual(other.BlockHashes) && Medium == other.Medium && GroupIdx == other.GroupIdx;

    public override int GetHashCode() => HashCode.Combine(BlockHashes.Count, Medium, GroupIdx);
}
