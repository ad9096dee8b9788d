using Strata.Core.Dispatch.PrefixCache;

namespace Strata.KvEvents.Tests;

/// <summary>
/// The dual-key adapter: stored runs are keyed by their tokens, chained from the parent's key, so they match a
/// request's block hashes whatever the engine's own hashes are; removals and clears find those keys by engine hash.
/// </summary>
public sealed class KvEventIndexAdapterTests
{
    private const int BlockSize = 4;
    private static readonly PrefixBlockHasher Hasher = new(BlockSize, seed: 42);

    private static (PrefixIndex Index, KvEventIndexAdapter Adapter) Adapter()
    {
        var index = new PrefixIndex(defaultCapacityBlocks: 1000);
        return (index, new KvEventIndexAdapter(index, Hasher, new Lock()));
    }

    private static KvEventBatch Batch(params KvEvent[] events) => new(0, events);

    private static int[] Tokens(int blocks, int from = 0) => [.. Enumerable.Range(from, blocks * BlockSize)];

    [Fact]
    public void A_run_stored_after_its_parent_gets_the_keys_a_request_with_the_whole_prompt_has()
    {
        var (index, adapter) = Adapter();
        var prompt = Tokens(5);
        // The engine stores the prompt in two runs; its own hashes are arbitrary.
        adapter.Apply(3, Batch(
            new BlockStored([101UL, 102UL], null, prompt[..(2 * BlockSize)], BlockSize),
            new BlockStored([103UL, 104UL, 105UL], 102UL, prompt[(2 * BlockSize)..], BlockSize)));

        var request = Hasher.HashTokens(prompt);
        var matched = new int[4];
        Assert.Equal(5, index.LongestPrefixMatch(request, matched));
        Assert.Equal([0, 0, 0, 5], matched);
        Assert.Equal(5, adapter.KnownBlocks(3));
    }

    [Fact]
    public void A_removal_by_engine_hash_removes_the_token_keyed_block()
    {
        var (index, adapter) = Adapter();
        var prompt = Tokens(3);
        var bytesHash = EngineBlockHash.FromBytes([1, 2, 3]);
        adapter.Apply(0, Batch(new BlockStored([7UL, bytesHash, 9UL], null, prompt, BlockSize)));
        var keys = Hasher.HashTokens(prompt);

        adapter.Apply(0, Batch(new BlockRemoved([bytesHash, 12345UL])));

        Assert.True(index.Contains(0, keys[0]));
        Assert.False(index.Contains(0, keys[1]));
        Assert.True(index.Contains(0, keys[2]));
        Assert.Equal((3, 1), (adapter.StoredBlocks, adapter.RemovedBlocks));
        Assert.Equal(2, adapter.KnownBlocks(0));
    }

    [Fact]
    public void Engines_keep_their_own_engine_hashes()
    {
        var (index, adapter) = Adapter();
        adapter.Apply(0, Batch(new BlockStored([1UL], null, Tokens(1), BlockSize)));
        adapter.Apply(1, Batch(new BlockStored([1UL], null, Tokens(1, from: 50), BlockSize)));

        adapter.Apply(1, Batch(new BlockRemoved([1UL])));

        Assert.True(index.Contains(0, Hasher.HashTokens(Tokens(1))[0]));
        Assert.Equal(0, index.Count(1));
    }

    [Fact]
    public void Runs_with_an_unknown_parent_another_block_size_medium_or_group_are_skipped()
    {
        var (index, adapter) = Adapter();
        adapter.Apply(0, Batch(
            new BlockStored([1UL, 2UL], 999UL, Tokens(2), BlockSize),
            new BlockStored([3UL], null, Tokens(2), BlockSize * 2),
            new BlockStored([4UL], null, Tokens(1), BlockSize, Medium: "CPU"),
            new BlockStored([5UL], null, Tokens(1), BlockSize, GroupIdx: 1)));

        Assert.Equal(0, index.Count(0));
        Assert.Equal((0, 5), (adapter.StoredBlocks, adapter.SkippedBlocks));
    }

    [Fact]
    public void Clearing_or_resetting_an_engine_forgets_its_blocks_and_engine_hashes()
    {
        var (index, adapter) = Adapter();
        adapter.Apply(0, Batch(new BlockStored([1UL, 2UL], null, Tokens(2), BlockSize)));
        adapter.Apply(1, Batch(new BlockStored([1UL, 2UL], null, Tokens(2), BlockSize)));

        adapter.Apply(0, Batch(new AllBlocksCleared()));
        adapter.Reset(1);

        Assert.Equal((0, 0, 0, 0), (index.Count(0), index.Count(1), adapter.KnownBlocks(0), adapter.KnownBlocks(1)));
        // A run whose parent was cleared is an orphan now.
        adapter.Apply(0, Batch(new BlockStored([3UL], 2UL, Tokens(1, from: 8), BlockSize)));
        Assert.Equal(0, index.Count(0));
    }

    [Fact]
    public void A_precise_affinity_is_fed_and_an_approximate_one_ignores_the_events()
    {
        var precise = new PrefixAffinity(PrefixIndexMode.Precise, BlockSize);
        var approximate = new PrefixAffinity(PrefixIndexMode.Approximate, BlockSize);
        var batch = Batch(new BlockStored([1UL, 2UL], null, Tokens(2), BlockSize));

        new KvEventIndexAdapter(precise, Hasher, new Lock()).Apply(0, batch);
        new KvEventIndexAdapter(approximate, Hasher, new Lock()).Apply(0, batch);

        Assert.Equal((2, 0), (precise.Index.Count(0), approximate.Index.Count(0)));
    }
}
