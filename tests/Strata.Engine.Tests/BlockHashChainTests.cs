using Strata.Engine;

namespace Strata.Engine.Tests;

public class BlockHashChainTests
{
    private static RequestSpec Spec(int prompt, params PrefixSegment[] prefix) => new(0, prompt, 10) { Prefix = prefix };

    [Fact]
    public void Requests_sharing_a_prefix_share_exactly_its_full_blocks()
    {
        var a = new BlockHashChain(Spec(100, new PrefixSegment(1, 40), new PrefixSegment(2, 60)), 1, 16);
        var b = new BlockHashChain(Spec(100, new PrefixSegment(1, 40), new PrefixSegment(3, 60)), 2, 16);
        Assert.Equal(a[0], b[0]);
        Assert.Equal(a[1], b[1]);
        Assert.NotEqual(a[2], b[2]); // tokens 32..47 straddle the segments that differ
        Assert.NotEqual(a[3], b[3]); // chained: once different, always different
    }

    [Fact]
    public void Unique_tail_differs_between_requests()
    {
        var a = new BlockHashChain(Spec(64), 1, 16);
        var b = new BlockHashChain(Spec(64), 2, 16);
        Assert.NotEqual(a[0], b[0]);
    }

    [Fact]
    public void Unique_blocks_of_different_requests_never_collide()
    {
        // A prefix index matches chains from block 0: a collision here would be a phantom cache hit.
        var seen = new HashSet<ulong>();
        for (var request = 0; request < 1000; request++)
        {
            var chain = new BlockHashChain(Spec(64 * 16), request, 16);
            for (var block = 0; block < 64; block++) Assert.True(seen.Add(chain[block]), $"request {request} block {block} repeats a hash");
        }
    }

    [Fact]
    public void An_answer_that_continues_the_conversation_is_hit_by_the_next_turn()
    {
        // Turn 1: 40 tokens of session content, 24 generated; turn 2's prompt has those 64 and more.
        var turn1 = new BlockHashChain(new RequestSpec(0, 40, 24) { Prefix = [new PrefixSegment(9, 40)], OutputContinuesPrefix = true }, 1, 16);
        var turn2 = new BlockHashChain(new RequestSpec(5, 100, 10) { Prefix = [new PrefixSegment(9, 100)], OutputContinuesPrefix = true }, 2, 16);
        for (var block = 0; block < 4; block++) Assert.Equal(turn1[block], turn2[block]);
    }

    [Fact]
    public void Without_continuation_the_answer_is_unique()
    {
        var turn1 = new BlockHashChain(new RequestSpec(0, 40, 24) { Prefix = [new PrefixSegment(9, 40)] }, 1, 16);
        var turn2 = new BlockHashChain(new RequestSpec(5, 100, 10) { Prefix = [new PrefixSegment(9, 100)] }, 2, 16);
        Assert.Equal(turn1[1], turn2[1]);
        Assert.NotEqual(turn1[2], turn2[2]);
    }
}
