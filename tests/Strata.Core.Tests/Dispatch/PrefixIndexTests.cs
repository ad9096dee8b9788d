using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Dispatch.PrefixCache;

namespace Strata.Core.Tests.Dispatch;

public class PrefixIndexTests
{
    [Fact]
    public void Record_keeps_the_prompt_head_newest_so_eviction_takes_the_tail_first()
    {
        var index = new PrefixIndex(defaultCapacityBlocks: 3);
        index.Record(0, [1, 2, 3]);
        Assert.Equal([1UL, 2, 3], index.BlocksNewestFirst(0));
        index.Record(0, [1, 4]);
        Assert.Equal([1UL, 4, 2], index.BlocksNewestFirst(0)); // 3 was least recently used
        Assert.Equal(3, index.Count(0));
    }

    [Fact]
    public void Longest_prefix_match_is_per_engine_and_consecutive()
    {
        var index = new PrefixIndex(100);
        index.Record(0, [1, 2, 3, 4]);
        index.Record(1, [1, 2]);
        index.Record(2, [1, 9, 3, 4]); // holds blocks 3 and 4 but not 2: they do not count
        var matched = new int[4];
        Assert.Equal(4, index.LongestPrefixMatch([1, 2, 3, 4, 5], matched));
        Assert.Equal([4, 2, 1, 0], matched);
        Assert.Equal(0, index.LongestPrefixMatch([7, 1], matched));
        Assert.Equal([0, 0, 0, 0], matched);
    }

    [Fact]
    public void Kv_events_store_remove_and_clear_blocks()
    {
        var index = new PrefixIndex(100);
        index.OnBlocksStored(1, [10, 11, 12]);
        index.OnBlocksStored(0, [10]);
        index.OnBlocksRemoved(1, [11, 99]);
        Assert.True(index.Contains(1, 10));
        Assert.False(index.Contains(1, 11));
        Assert.Equal(3, index.TotalBlocks);
        index.OnAllBlocksCleared(1);
        Assert.Equal(0, index.Count(1));
        Assert.True(index.Contains(0, 10));
        var matched = new int[2];
        Assert.Equal(1, index.LongestPrefixMatch([10, 11], matched));
        Assert.Equal([1, 0], matched);
    }

    [Fact]
    public void Shrinking_capacity_evicts_the_oldest_blocks()
    {
        var index = new PrefixIndex(10);
        index.Record(0, [1, 2, 3, 4]);
        index.SetCapacity(0, 2);
        Assert.Equal([1UL, 2], index.BlocksNewestFirst(0));
        index.SetCapacity(0, 0);
        index.Record(0, [5]);
        Assert.Equal(0, index.Count(0));
    }

    /// <summary>One operation on the index: store (kind 0–1, i.e. twice as often), remove, clear or resize.</summary>
    public sealed record Op(int Kind, int Engine, ulong[] Hashes, int Capacity);

    private const int Engines = 3;

    private static Arbitrary<Op[]> Ops() =>
        (from kind in Gen.Choose(0, 4)
         from engine in Gen.Choose(0, Engines - 1)
         from hashes in Gen.Choose(0, 11).Select(h => (ulong)h).ArrayOf()
         from capacity in Gen.Choose(0, 6)
         select new Op(kind, engine, hashes, capacity)).ArrayOf().ToArbitrary();

    /// <summary>A plain list per engine, newest first: the LRU the index must behave like.</summary>
    private static (PrefixIndex Index, List<ulong>[] Model, int[] Capacity) Replay(Op[] ops)
    {
        const int initialCapacity = 5;
        var index = new PrefixIndex(initialCapacity);
        var model = Enumerable.Range(0, Engines).Select(_ => new List<ulong>()).ToArray();
        var capacity = Enumerable.Repeat(initialCapacity, Engines).ToArray();
        foreach (var op in ops)
        {
            var blocks = model[op.Engine];
            switch (op.Kind)
            {
                case 0 or 1:
                    index.Record(op.Engine, op.Hashes);
                    foreach (var hash in op.Hashes.Reverse())
                    {
                        if (capacity[op.Engine] == 0) break;
                        blocks.Remove(hash);
                        blocks.Insert(0, hash);
                        if (blocks.Count > capacity[op.Engine]) blocks.RemoveAt(blocks.Count - 1);
                    }
                    break;
                case 2:
                    index.OnBlocksRemoved(op.Engine, op.Hashes);
                    blocks.RemoveAll(op.Hashes.Contains);
                    break;
                case 3:
                    index.OnAllBlocksCleared(op.Engine);
                    blocks.Clear();
                    break;
                default:
                    index.SetCapacity(op.Engine, op.Capacity);
                    capacity[op.Engine] = op.Capacity;
                    if (blocks.Count > op.Capacity) blocks.RemoveRange(op.Capacity, blocks.Count - op.Capacity);
                    break;
            }
        }
        return (index, model, capacity);
    }

    [Property(MaxTest = 300)]
    public Property Lru_never_exceeds_capacity_and_evicts_the_least_recently_used() =>
        Prop.ForAll(Ops(), ops =>
        {
            var (index, model, capacity) = Replay(ops);
            return Enumerable.Range(0, Engines).All(e =>
                index.Count(e) <= capacity[e]
                && index.BlocksNewestFirst(e).SequenceEqual(model[e])
                && index.TotalBlocks == model.Sum(m => m.Count));
        });

    [Property(MaxTest = 300)]
    public Property Longest_prefix_match_equals_brute_force() =>
        Prop.ForAll(Ops(), Gen.Choose(0, 11).Select(h => (ulong)h).ArrayOf().ToArbitrary(), (ops, prompt) =>
        {
            var (index, model, _) = Replay(ops);
            var matched = new int[Engines];
            var longest = index.LongestPrefixMatch(prompt, matched);
            var expected = model.Select(blocks => prompt.TakeWhile(blocks.Contains).Count()).ToArray();
            return matched.SequenceEqual(expected) && longest == expected.Max();
        });
}
