using System.Runtime.InteropServices;
using System.Text;
using Strata.Core.Dispatch.PrefixCache;

namespace Strata.Core.Tests.Dispatch;

public class PrefixBlockHasherTests
{
    [Fact]
    public void Only_full_blocks_are_hashed()
    {
        var hasher = new PrefixBlockHasher(blockSize: 16);
        Assert.Equal(2, hasher.HashTokens(Enumerable.Range(0, 47).ToArray()).Length);
        Assert.Equal(3, hasher.HashTokens(Enumerable.Range(0, 48).ToArray()).Length);
        Assert.Equal(2, hasher.HashText(new string('a', 16 * 4 * 2 + 63)).Length); // 4 bytes per pseudo-token
    }

    [Fact]
    public void Hashes_are_chained_so_a_change_in_one_block_changes_every_later_block()
    {
        var hasher = new PrefixBlockHasher(blockSize: 4);
        var a = hasher.HashTokens([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        var b = hasher.HashTokens([1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12]);
        Assert.Equal(a[0], b[0]);
        Assert.NotEqual(a[1], b[1]);
        Assert.NotEqual(a[2], b[2]);
        // The same block after different prefixes hashes differently.
        Assert.NotEqual(hasher.HashTokens([9, 9, 9, 9, 1, 2, 3, 4])[1], hasher.HashTokens([8, 8, 8, 8, 1, 2, 3, 4])[1]);
    }

    [Fact]
    public void Shared_prefix_text_gives_shared_leading_hashes()
    {
        var hasher = new PrefixBlockHasher();
        var system = new string('s', 64 * 3);
        var a = hasher.HashText(system + "question one, long enough to fill a further block of sixty-four bytes...");
        var b = hasher.HashText(system + "a different question that also fills one more block of sixty-four bytes");
        Assert.Equal(a[..3], b[..3]);
        Assert.NotEqual(a[3], b[3]);
    }

    [Fact]
    public void Pseudo_tokens_are_little_endian_packs_of_four_utf8_bytes()
    {
        var hasher = new PrefixBlockHasher(blockSize: 2);
        var utf8 = Encoding.UTF8.GetBytes("abcdefgh");
        var packed = MemoryMarshal.Cast<byte, int>(utf8).ToArray();
        Assert.Equal(hasher.HashTokens(packed), hasher.HashUtf8(utf8));
        Assert.Equal(3, PrefixBlockHasher.EstimateTokens(9));
    }

    [Fact]
    public void The_seed_separates_hash_spaces_and_output_is_deterministic()
    {
        int[] tokens = [.. Enumerable.Range(0, 32)];
        Assert.Equal(new PrefixBlockHasher(seed: 1).HashTokens(tokens), new PrefixBlockHasher(seed: 1).HashTokens(tokens));
        Assert.NotEqual(new PrefixBlockHasher(seed: 1).HashTokens(tokens)[0], new PrefixBlockHasher(seed: 2).HashTokens(tokens)[0]);
    }

    [Fact]
    public void Hashing_from_a_blocks_hash_continues_the_chain_of_the_whole_prompt()
    {
        var hasher = new PrefixBlockHasher(blockSize: 4, seed: 7);
        int[] tokens = [.. Enumerable.Range(100, 20)];
        var whole = hasher.HashTokens(tokens);
        var tail = new ulong[3];
        Assert.Equal(3, hasher.HashTokens(whole[1], tokens.AsSpan(8), tail));
        Assert.Equal(whole[2..], tail);
        var head = new ulong[5];
        Assert.Equal(5, hasher.HashTokens(hasher.Seed, tokens, head));
        Assert.Equal(whole, head);
    }
}
