namespace Strata.Core.Dispatch;

/// <summary>
/// Which engine holds which KV blocks, by chained block hash, with an LRU per engine sized in
/// blocks (an engine's KV capacity). Fed either by routing history — <see cref="Record"/> the
/// blocks of each request on the engine it went to ("approximate", as llm-d's and SGLang's
/// routers do without engine events) — or by the engines' KV events
/// (<see cref="Record"/> on BlockStored, <see cref="Forget"/> on BlockRemoved: "precise").
/// Chained hashes make a prefix match a walk from the first block until the first miss.
/// </summary>
public sealed class PrefixIndex
{
    private readonly Dictionary<ulong, LinkedListNode<ulong>>[] _blocks;
    private readonly LinkedList<ulong>[] _recency;

    public PrefixIndex(int engines, int capacityBlocksPerEngine)
    {
        if (capacityBlocksPerEngine <= 0) throw new ArgumentOutOfRangeException(nameof(capacityBlocksPerEngine), "A prefix index needs room for at least one block per engine.");
        CapacityBlocks = capacityBlocksPerEngine;
        _blocks = Enumerable.Range(0, engines).Select(_ => new Dictionary<ulong, LinkedListNode<ulong>>()).ToArray();
        _recency = Enumerable.Range(0, engines).Select(_ => new LinkedList<ulong>()).ToArray();
    }

    public int CapacityBlocks { get; }

    public int Count(int engine) => _blocks[engine].Count;

    /// <summary>Marks the blocks as held by the engine, most recent last; evicts the least recently used past capacity.</summary>
    public void Record(int engine, ReadOnlySpan<ulong> hashes)
    {
        var blocks = _blocks[engine];
        var recency = _recency[engine];
        foreach (var hash in hashes)
        {
            if (blocks.TryGetValue(hash, out var node))
            {
                recency.Remove(node);
                recency.AddLast(node);
                continue;
            }
            if (blocks.Count == CapacityBlocks)
            {
                blocks.Remove(recency.First!.Value);
                recency.RemoveFirst();
            }
            blocks[hash] = recency.AddLast(hash);
        }
    }

    public void Forget(int engine, ReadOnlySpan<ulong> hashes)
    {
        foreach (var hash in hashes)
            if (_blocks[engine].Remove(hash, out var node)) _recency[engine].Remove(node);
    }

    /// <summary>Leading blocks of the prompt the engine holds.</summary>
    public int MatchBlocks(int engine, ReadOnlySpan<ulong> hashes)
    {
        var blocks = _blocks[engine];
        var matched = 0;
        while (matched < hashes.Length && blocks.ContainsKey(hashes[matched])) matched++;
        return matched;
    }
}
