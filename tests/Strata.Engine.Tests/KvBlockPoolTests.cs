using Strata.Engine;

namespace Strata.Engine.Tests;

public class KvBlockPoolTests
{
    [Fact]
    public void Freed_blocks_stay_hashable_until_evicted_least_recently_freed_first()
    {
        var pool = new KvBlockPool(totalBlocks: 3, blockSize: 16, enablePrefixCaching: true);
        var a = pool.Allocate();
        var b = pool.Allocate();
        pool.Cache(a, 0xA);
        pool.Cache(b, 0xB);
        pool.Release(a);
        pool.Release(b);

        Assert.Equal(3, pool.FreeBlocks);
        Assert.Equal(a, pool.Lookup(0xA));

        // The never-used block goes first, then the least recently freed (a), evicting its hash.
        pool.Allocate();
        Assert.Equal(a, pool.Lookup(0xA));
        pool.Allocate();
        Assert.Equal(-1, pool.Lookup(0xA));
        Assert.Equal(b, pool.Lookup(0xB));
    }

    [Fact]
    public void Touching_a_cached_free_block_takes_it_off_the_free_queue()
    {
        var pool = new KvBlockPool(2, 16, true);
        var a = pool.Allocate();
        pool.Cache(a, 42);
        pool.Release(a);
        pool.Touch(pool.Lookup(42));
        Assert.Equal(1, pool.FreeBlocks);
        Assert.Equal(1, pool.RefCount(a));
        Assert.NotEqual(a, pool.Allocate());
    }

    [Fact]
    public void Without_prefix_caching_nothing_is_hashable()
    {
        var pool = new KvBlockPool(2, 16, false);
        var a = pool.Allocate();
        pool.Cache(a, 7);
        Assert.Equal(-1, pool.Lookup(7));
    }

    [Fact]
    public void Releasing_more_than_taken_is_a_bug_not_a_silent_leak()
    {
        var pool = new KvBlockPool(1, 16, true);
        var a = pool.Allocate();
        pool.Release(a);
        Assert.Throws<InvalidOperationException>(() => pool.Release(a));
    }
}
