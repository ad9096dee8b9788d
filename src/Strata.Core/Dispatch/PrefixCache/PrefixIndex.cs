using System.Runtime.InteropServices;

namespace Strata.Core.Dispatch.PrefixCache;

/// <summary>
/// Which engine holds which KV blocks, by chained block hash (<see cref="PrefixBlockHasher"/>):
/// one LRU per engine sized in blocks, O(1) insert, touch and evict, and a longest-prefix match
/// per engine that allocates nothing. Fed either by the router's own decisions
/// (<see cref="Record"/>, approximate) or by engine KV events (<see cref="IKvEventSink"/>, precise).
/// Not thread-safe: the gateway serialises decisions and event delivery.
/// </summary>
/// <remarks>
/// Every (engine, block) pair is one node in a pooled array, linked twice: into its engine's LRU
/// list (newest → oldest) and into the list of engines holding that hash, so a match walks each
/// prompt block's holders once instead of probing every engine. The one dictionary maps a hash to
/// its first holder; whether an engine holds a hash is a walk of that short list, which keeps a
/// recorded block to one or two dictionary operations (approximate mode records every decision).
/// </remarks>
public sealed class PrefixIndex : IKvEventSink
{
    private const int None = -1;

    private Node[] _nodes = new Node[1024];
    private int _allocated;
    private int _freeList = None;
    private readonly Dictionary<ulong, int> _firstHolder = new();
    private EngineLru[] _engines = [];

    public PrefixIndex(int defaultCapacityBlocks)
    {
        if (defaultCapacityBlocks < 0)
            throw new ArgumentOutOfRangeException(nameof(defaultCapacityBlocks), defaultCapacityBlocks, "lru_capacity_blocks must be 0 or more KV blocks per engine.");
        DefaultCapacityBlocks = defaultCapacityBlocks;
    }

    /// <summary>Capacity of an engine's LRU until <see cref="SetCapacity"/> sizes it from its KV cache.</summary>
    public int DefaultCapacityBlocks { get; }

    /// <summary>Blocks held over all engines.</summary>
    public long TotalBlocks { get; private set; }

    public int Count(int engine) => engine < _engines.Length ? _engines[engine].Count : 0;

    public int Capacity(int engine) => engine < _engines.Length ? _engines[engine].Capacity : DefaultCapacityBlocks;

    public bool Contains(int engine, ulong blockHash) => NodeOf(engine, blockHash) != None;

    /// <summary>Sizes an engine's LRU (e.g. its KV capacity in blocks), evicting its oldest blocks when it shrinks.</summary>
    public void SetCapacity(int engine, int blocks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blocks);
        ref var lru = ref Engine(engine);
        lru.Capacity = blocks;
        while (lru.Count > blocks) Remove(ref lru, lru.Oldest);
    }

    /// <summary>
    /// Approximate mode: the router sent a prompt with these blocks to <paramref name="engine"/>.
    /// Blocks are touched last to first so the prompt's head ends up newest: a chain is worthless
    /// without its head, and heads are the blocks other prompts share.
    /// </summary>
    public void Record(int engine, ReadOnlySpan<ulong> blockHashes)
    {
        ref var lru = ref Engine(engine);
        for (var i = blockHashes.Length - 1; i >= 0; i--) Touch(ref lru, engine, blockHashes[i]);
    }

    public void OnBlocksStored(int engine, ReadOnlySpan<ulong> blockHashes) => Record(engine, blockHashes);

    public void OnBlocksRemoved(int engine, ReadOnlySpan<ulong> blockHashes)
    {
        ref var lru = ref Engine(engine);
        foreach (var hash in blockHashes)
            if (NodeOf(engine, hash) is var node and not None) Remove(ref lru, node);
    }

    public void OnAllBlocksCleared(int engine)
    {
        ref var lru = ref Engine(engine);
        while (lru.Oldest != None) Remove(ref lru, lru.Oldest);
    }

    /// <summary>
    /// For every engine e &lt; <paramref name="matchedBlocks"/>.Length, writes how many leading
    /// blocks of <paramref name="blockHashes"/> it holds consecutively; returns the largest.
    /// </summary>
    public int LongestPrefixMatch(ReadOnlySpan<ulong> blockHashes, Span<int> matchedBlocks)
    {
        matchedBlocks.Clear();
        var depth = 0;
        for (; depth < blockHashes.Length; depth++)
        {
            if (!_firstHolder.TryGetValue(blockHashes[depth], out var node)) break;
            var advanced = false;
            for (; node != None; node = _nodes[node].NextHolder)
            {
                var engine = _nodes[node].Engine;
                if (engine >= matchedBlocks.Length || matchedBlocks[engine] != depth) continue;
                matchedBlocks[engine] = depth + 1;
                advanced = true;
            }
            if (!advanced) break;
        }
        return depth;
    }

    /// <summary>An engine's blocks from newest to oldest, for tests and diagnostics.</summary>
    internal IEnumerable<ulong> BlocksNewestFirst(int engine)
    {
        if (engine >= _engines.Length) yield break;
        for (var node = _engines[engine].Newest; node != None; node = _nodes[node].Older)
            yield return _nodes[node].Hash;
    }

    /// <summary>The node of <paramref name="engine"/>'s copy of <paramref name="hash"/>, or <see cref="None"/>.</summary>
    private int NodeOf(int engine, ulong hash)
    {
        if (engine >= _engines.Length || !_firstHolder.TryGetValue(hash, out var node)) return None;
        while (node != None && _nodes[node].Engine != engine) node = _nodes[node].NextHolder;
        return node;
    }

    private void Touch(ref EngineLru lru, int engine, ulong hash)
    {
        if (lru.Capacity == 0) return;
        if (NodeOf(engine, hash) is var existing and not None)
        {
            UnlinkLru(ref lru, existing);
            LinkNewest(ref lru, existing);
            return;
        }
        // Evict before taking a reference into the dictionary: eviction may remove another hash.
        if (lru.Count >= lru.Capacity) Remove(ref lru, lru.Oldest);
        var node = Allocate();
        _nodes[node].Hash = hash;
        _nodes[node].Engine = engine;
        LinkNewest(ref lru, node);
        lru.Count++;
        ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstHolder, hash, out var held);
        _nodes[node].PrevHolder = None;
        _nodes[node].NextHolder = held ? head : None;
        if (held) _nodes[head].PrevHolder = node;
        head = node;
        TotalBlocks++;
    }

    private void Remove(ref EngineLru lru, int node)
    {
        ref var n = ref _nodes[node];
        UnlinkLru(ref lru, node);
        lru.Count--;
        if (n.PrevHolder != None) _nodes[n.PrevHolder].NextHolder = n.NextHolder;
        else if (n.NextHolder != None) _firstHolder[n.Hash] = n.NextHolder;
        else _firstHolder.Remove(n.Hash);
        if (n.NextHolder != None) _nodes[n.NextHolder].PrevHolder = n.PrevHolder;
        n.Older = _freeList;
        _freeList = node;
        TotalBlocks--;
    }

    private void LinkNewest(ref EngineLru lru, int node)
    {
        _nodes[node].Newer = None;
        _nodes[node].Older = lru.Newest;
        if (lru.Newest != None) _nodes[lru.Newest].Newer = node;
        else lru.Oldest = node;
        lru.Newest = node;
    }

    private void UnlinkLru(ref EngineLru lru, int node)
    {
        var (newer, older) = (_nodes[node].Newer, _nodes[node].Older);
        if (newer != None) _nodes[newer].Older = older;
        else lru.Newest = older;
        if (older != None) _nodes[older].Newer = newer;
        else lru.Oldest = newer;
    }

    private int Allocate()
    {
        if (_freeList != None)
        {
            var reused = _freeList;
            _freeList = _nodes[reused].Older;
            return reused;
        }
        if (_allocated == _nodes.Length) Array.Resize(ref _nodes, _nodes.Length * 2);
        return _allocated++;
    }

    private ref EngineLru Engine(int engine)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(engine);
        if (engine >= _engines.Length)
        {
            var first = _engines.Length;
            Array.Resize(ref _engines, engine + 1);
            for (var e = first; e <= engine; e++)
                _engines[e] = new EngineLru { Newest = None, Oldest = None, Capacity = DefaultCapacityBlocks };
        }
        return ref _engines[engine];
    }

    private struct Node
    {
        public ulong Hash;
        public int Engine;
        public int Newer, Older;
        public int PrevHolder, NextHolder;
    }

    private struct EngineLru
    {
        public int Count, Newest, Oldest, Capacity;
    }
}
