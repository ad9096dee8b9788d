namespace Strata.KvEvents;

/// <summary>
/// A run of full KV blocks was stored: <see cref="BlockHashes"/> name them in order, <see cref="TokenIds"/> holds
/// their tokens (<see cref="BlockSize"/> per block) and <see cref="ParentBlockHash"/> names the block before the
/// run (none for a run that starts the prompt). Fields as vLLM's <c>BlockStored</c>; its <c>extra_keys</c>,
/// <c>kv_cache_spec_*</c> and later fields are read past, not kept.
/// </summary>
/// <param name="GroupIdx">The KV-cache group of a hybrid model (vLLM ≥ 0.19 sends it; null before).</param>
public sealed record BlockStored(
    IReadOnlyList<EngineBlockHash> BlockHashes,
    EngineBlockHash? ParentBlockHash,
    IReadOnlyList<int> TokenIds,
    int BlockSize,
    long? LoraId = null,
    string? Medium = null,
    string? LoraName = null,
    long? GroupIdx = null) : KvEvent
{
    public bool Equals(BlockStored? other) =>
        other is not null && BlockHashes.SequenceEqual(other.BlockHashes) && Nullable.Equals(ParentBlockHash, other.ParentBlockHash)
        && TokenIds.SequenceEqual(other.TokenIds) && BlockSize == other.BlockSize && LoraId == other.LoraId
        && Medium == other.Medium && LoraName == other.LoraName && GroupIdx == other.GroupIdx;

    public override int GetHashCode() => HashCode.Combine(BlockHashes.Count, ParentBlockHash, TokenIds.Count, BlockSize, Medium, GroupIdx);
}
