using Strata.Core.Dispatch.PrefixCache;

namespace Strata.Engine;

/// <summary>
/// An engine's paged KV cache with vLLM V1's prefix caching: blocks are reference counted;
/// a block nobody holds goes to the tail of a free queue but keeps its content hash, so a later
/// request with the same prefix can take it back; allocation evicts from the head, so the least
/// recently freed blocks are reused first.
/// </summary>
public sealed class KvBlockPool
{
    private const int None = -1;

    private readonly int[] _refCount;
    private readonly ulong[] _hash;
    private readonly bool[] _hashed;
    private readonly bool[] _shared;
    private readonly int[] _prev;
    private readonly int[] _next;
    private readonly Dictionary<ulong, int> _cached = new();
    private int _freeHead = None;
    private int _freeTail = None;
    private IKvEventSink? _events;
    private int _engine;

    public KvBlockPool(int totalBlocks, int blockSize, bool enablePrefixCaching)
    {
        if (totalBlocks <= 0) throw new ArgumentOutOfRangeException(nameof(totalBlocks), "The KV cache has no blocks.");
        TotalBlocks = totalBlocks;
        BlockSize = blockSize;
        PrefixCaching = enablePrefixCaching;
        _refCount = new int[totalBlocks];
        _hash = new ulong[totalBlocks];
        _hashed = new bool[totalBlocks];
        _shared = new bool[totalBlocks];
        _prev = new int[totalBlocks];
        _next = new int[totalBlocks];
        for (var block = 0; block < totalBlocks; block++) AppendFree(block);
    }

    /// <summary>
    /// Reports shared blocks entering and leaving the lookup table to <paramref name="events"/>, as
    /// vLLM's <c>BlockStored</c> / <c>BlockRemoved</c> KV events feed a precise prefix index. Blocks
    /// unique to one request are not reported: no other prompt can ever match them.
    /// </summary>
    public void PublishEvents(IKvEventSink events, int engine)
    {
        _events = events;
        _engine = engine;
    }

    public int TotalBlocks { get; }
    public int BlockSize { get; }
    public bool PrefixCaching { get; }

    /// <summary>Blocks no request holds, cached or not: what allocation can use.</summary>
    public int FreeBlocks { get; private set; }

    public double Usage => 1.0 - (double)FreeBlocks / TotalBlocks;

    public int RefCount(int block) => _refCount[block];

    /// <summary>Blocks some request holds; with <see cref="FreeBlocks"/> they add up to <see cref="TotalBlocks"/>.</summary>
    public int HeldBlocks()
    {
        var held = 0;
        foreach (var count in _refCount) if (count > 0) held++;
        return held;
    }

    /// <summary>The hashes of the shared blocks a lookup can hit: what a precise prefix index must mirror.</summary>
    public IEnumerable<ulong> SharedCachedHashes() => _cached.Keys;

    /// <summary>The block holding shared content <paramref name="hash"/>, or -1.</summary>
    public int Lookup(ulong hash) => _cached.TryGetValue(hash, out var block) ? block : None;

    /// <summary>
    /// <paramref name="block"/> if it still holds <paramref name="hash"/> (not evicted since its
    /// owner released it), else -1: how a preempted request finds its own unique blocks again.
    /// </summary>
    public int Reclaim(int block, ulong hash) => _hashed[block] && _hash[block] == hash ? block : None;

    /// <summary>Takes a reference on a cached block found by <see cref="Lookup"/>, pulling it off the free queue.</summary>
    public void Touch(int block)
    {
        if (_refCount[block]++ == 0) RemoveFree(block);
    }

    /// <summary>Allocates a fresh block, evicting the least recently freed one (and its hash).</summary>
    public int Allocate()
    {
        var block = _freeHead;
        if (block == None) throw new InvalidOperationException("No free KV block; check FreeBlocks before allocating.");
        RemoveFree(block);
        if (_hashed[block])
        {
            if (_shared[block])
            {
                _cached.Remove(_hash[block]);
                _events?.OnBlocksRemoved(_engine, new ReadOnlySpan<ulong>(in _hash[block]));
            }
            _hashed[block] = false;
        }
        _refCount[block] = 1;
        return block;
    }

    /// <summary>
    /// Registers a full block's content hash. Shared content goes in the lookup table (the first
    /// block with a hash keeps it); content unique to one request is only remembered on the
    /// block, since no other request can ever hit it — a table entry per unique block was a
    /// quarter of the simulator's time.
    /// </summary>
    public void Cache(int block, ulong hash, bool shared = true)
    {
        if (!PrefixCaching || _hashed[block]) return;
        if (shared && !_cached.TryAdd(hash, block)) return;
        _hash[block] = hash;
        _hashed[block] = true;
        _shared[block] = shared;
        if (shared) _events?.OnBlocksStored(_engine, new ReadOnlySpan<ulong>(in _hash[block]));
    }

    /// <summary>Drops one reference; a block nobody holds joins the tail of the free queue.</summary>
    public void Release(int block)
    {
        if (_refCount[block] <= 0) throw new InvalidOperationException($"KV block {block} released more often than taken.");
        if (--_refCount[block] == 0) AppendFree(block);
    }

    private void AppendFree(int block)
    {
        _prev[block] = _freeTail;
        _next[block] = None;
        if (_freeTail == None) _freeHead = block;
        else _next[_freeTail] = block;
        _freeTail = block;
        FreeBlocks++;
    }

    private void RemoveFree(int block)
    {
        var prev = _prev[block];
        var next = _next[block];
        if (prev == None) _freeHead = next;
        else _next[prev] = next;
        if (next == None) _freeTail = prev;
        else _prev[next] = prev;
        FreeBlocks--;
    }
}
