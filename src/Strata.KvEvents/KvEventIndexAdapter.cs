using Strata.Core.Dispatch.PrefixCache;

namespace Strata.KvEvents;

/// <summary>
/// Feeds engine KV events into a Strata prefix index keyed by tokens. Engine block hashes are opaque (vLLM's
/// depend on its hash function, seed and extra keys), so a stored run of blocks is re-keyed: its token ids are
/// hashed with <see cref="PrefixBlockHasher"/>, chained from the key of its parent block (the seed for a run that
/// starts a prompt), which gives the same keys as a request's <c>BlockHashes</c>. Each engine hash is remembered
/// with its key, per engine, so removals, which carry only engine hashes, find their keys. This is the dual-key
/// index of llm-d's KV-cache manager (llm-d/llm-d-kv-cache @ 02bff241 <c>pkg/kvcache/kvblock/index.go</c>: request
/// keys from tokens, an engine-key → request-key map for evictions).
/// <para>Skipped, and counted in <see cref="SkippedBlocks"/>: runs whose parent was never seen (stored before the
/// subscriber joined, or already removed), whose block size is not the hasher's, that live on another medium
/// than the GPU (offloaded copies) or in another KV-cache group than 0 (a hybrid model's sliding-window
/// groups). LoRA and multimodal extra keys are not part of the keys, as they are not part of a request's.</para>
/// <para>Threading: <see cref="Apply"/> and <see cref="Reset"/> run on subscriber threads and change the index
/// under <c>gate</c>; whoever reads the index to route (a selector's <c>Route</c>) must hold the same lock, which
/// serialises events with decisions as <see cref="PrefixIndex"/> requires. The engine-hash maps are only touched
/// under it too.</para>
/// </summary>
public sealed class KvEventIndexAdapter : IKvEventBatchSink
{
    private const int StackBlocks = 256;
    private const string Gpu = "GPU";

    private readonly IKvEventSink _index;
    private readonly PrefixBlockHasher _hasher;
    private readonly Lock _gate;
    private readonly List<Dictionary<EngineBlockHash, ulong>> _keys = [];
    private long _storedBlocks, _removedBlocks, _skippedBlocks;

    /// <param name="index">The index the events describe, e.g. a precise-mode <see cref="PrefixAffinity"/>.</param>
    /// <param name="hasher">The hasher requests' block keys are made with (same block size and seed).</param>
    /// <param name="gate">The lock routing decisions hold while they read <paramref name="index"/>.</param>
    public KvEventIndexAdapter(IKvEventSink index, PrefixBlockHasher hasher, Lock gate)
    {
        _index = index;
        _hasher = hasher;
        _gate = gate;
    }

    /// <summary>Blocks forwarded to the index as stored.</summary>
    public long StoredBlocks => Interlocked.Read(ref _storedBlocks);

    /// <summary>Blocks forwarded to the index as removed (removals of unknown engine hashes are not counted).</summary>
    public long RemovedBlocks => Interlocked.Read(ref _removedBlocks);

    /// <summary>Stored blocks not forwarded: unknown parent, other block size, medium or KV-cache group.</summary>
    public long SkippedBlocks => Interlocked.Read(ref _skippedBlocks);

    /// <summary>Engine hashes <paramref name="engine"/> is known to hold, with their keys.</summary>
    public int KnownBlocks(int engine)
    {
        lock (_gate) return engine < _keys.Count ? _keys[engine].Count : 0;
    }

    public void Apply(int engine, KvEventBatch batch)
    {
        lock (_gate)
        {
            var keys = KeysOf(engine);
            foreach (var kvEvent in batch.Events)
            {
                switch (kvEvent)
                {
                    case BlockStored stored: Store(engine, keys, stored); break;
                    case BlockRemoved removed: Remove(engine, keys, removed); break;
                    case AllBlocksCleared: Clear(engine, keys); break;
                }
            }
        }
    }

    public void Reset(int engine)
    {
        lock (_gate) Clear(engine, KeysOf(engine));
    }

    private void Store(int engine, Dictionary<EngineBlockHash, ulong> keys, BlockStored stored)
    {
        var blocks = stored.BlockHashes.Count;
        var parent = _hasher.Seed;
        if (!IsPrimary(stored.Medium, stored.GroupIdx) || stored.BlockSize != _hasher.BlockSize
            || (stored.ParentBlockHash is { } engineParent && !keys.TryGetValue(engineParent, out parent)))
        {
            Interlocked.Add(ref _skippedBlocks, blocks);
            return;
        }
        var tokens = stored.TokenIds is int[] array ? array : [.. stored.TokenIds];
        var hashed = blocks <= StackBlocks ? stackalloc ulong[blocks] : new ulong[blocks];
        hashed = hashed[.._hasher.HashTokens(parent, tokens, hashed)];
        for (var i = 0; i < hashed.Length; i++) keys[stored.BlockHashes[i]] = hashed[i];
        _index.OnBlocksStored(engine, hashed);
        Interlocked.Add(ref _storedBlocks, hashed.Length);
        Interlocked.Add(ref _skippedBlocks, blocks - hashed.Length);
    }

    private void Remove(int engine, Dictionary<EngineBlockHash, ulong> keys, BlockRemoved removed)
    {
        if (!IsPrimary(removed.Medium, removed.GroupIdx)) return;
        var count = removed.BlockHashes.Count;
        var found = count <= StackBlocks ? stackalloc ulong[count] : new ulong[count];
        var n = 0;
        foreach (var hash in removed.BlockHashes)
            if (keys.Remove(hash, out var key)) found[n++] = key;
        _index.OnBlocksRemoved(engine, found[..n]);
        Interlocked.Add(ref _removedBlocks, n);
    }

    private void Clear(int engine, Dictionary<EngineBlockHash, ulong> keys)
    {
        keys.Clear();
        _index.OnAllBlocksCleared(engine);
    }

    /// <summary>GPU blocks of the first KV-cache group: what a request's prefix can hit without a load.</summary>
    private static bool IsPrimary(string? medium, long? group) => (medium is null || medium == Gpu) && (group is null or 0);

    private Dictionary<EngineBlockHash, ulong> KeysOf(int engine)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(engine);
        while (_keys.Count <= engine) _keys.Add([]);
        return _keys[engine];
    }
}
