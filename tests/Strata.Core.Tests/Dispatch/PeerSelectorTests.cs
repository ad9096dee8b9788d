using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;

namespace Strata.Core.Tests.Dispatch;

public class PeerSelectorTests
{
    private static EngineView View(int index, int waiting = 0, int running = 0, double kv = 0.2, long pending = 0, long runningTokens = 0) =>
        new(index, waiting, running, kv, pending, 0, runningTokens);

    private static DispatchRequest Prompt(params ulong[] blocks) => new(1, blocks.Length * 16, BlockHashes: blocks);

    [Fact]
    public void Llmd_queue_scorer_is_min_max_normalised_and_prefix_outweighs_it()
    {
        var llmd = new LlmdWeightedScorerSelector(new PrefixAffinity(), seed: 0);
        llmd.Affinity.Index.Record(0, [1, 2, 3, 4]);
        // Engine 0: queue 0/1 → 0, kv 0.8·2, prefix 1·3 = 4.6; engine 1: 2 + 1.6 + 0 = 3.6.
        EngineView[] engines = [View(0, waiting: 10), View(1, waiting: 0)];
        Assert.Equal(0, llmd.Route(Prompt(1, 2, 3, 4), engines, 0));
        // Half the prefix: 0 + 1.6 + 1.5 = 3.1 < 3.6.
        Assert.Equal(1, llmd.Route(Prompt(1, 2, 7, 8), engines, 0));
    }

    [Fact]
    public void Llmd_records_the_routed_prompt_in_approximate_mode_only()
    {
        var approximate = new LlmdWeightedScorerSelector(new PrefixAffinity(PrefixIndexMode.Approximate), seed: 0);
        var precise = new LlmdWeightedScorerSelector(new PrefixAffinity(PrefixIndexMode.Precise), seed: 0);
        EngineView[] engines = [View(0), View(1)];
        var chosen = approximate.Route(Prompt(5, 6), engines, 0);
        Assert.True(approximate.Affinity.Index.Contains(chosen, 6));
        precise.Route(Prompt(5, 6), engines, 0);
        Assert.Equal(0, precise.Affinity.Index.TotalBlocks);
        precise.Affinity.OnBlocksStored(1, [5, 6]);
        approximate.Affinity.OnBlocksStored(1 - chosen, [5, 6]);
        Assert.Equal(2, precise.Affinity.Index.TotalBlocks);
        Assert.False(approximate.Affinity.Index.Contains(1 - chosen, 5));
    }

    [Fact]
    public void Llmd_breaks_ties_at_random_from_its_seed()
    {
        EngineView[] engines = [View(0), View(1), View(2)];
        int[] Run(int seed)
        {
            var llmd = new LlmdWeightedScorerSelector(new PrefixAffinity(), seed);
            return Enumerable.Range(0, 40).Select(_ => llmd.Route(default, engines, 0)).ToArray();
        }
        Assert.Equal(Run(3), Run(3));
        Assert.Equal(3, Run(3).Distinct().Count());
    }

    [Fact]
    public void Sglang_goes_to_least_load_when_imbalanced_on_both_abs_and_rel_thresholds()
    {
        int Route(int load0, int load1)
        {
            var sglang = new SglangCacheAwareSelector(new PrefixAffinity(), new SglangCacheAwareThresholds(BalanceAbsThreshold: 4, BalanceRelThreshold: 1.5));
            sglang.Affinity.Index.Record(0, [1, 2]);
            return sglang.Route(Prompt(1, 2), [View(0, running: load0), View(1, running: load1)], 0);
        }
        Assert.Equal(1, Route(10, 5)); // diff 5 > 4 and 10 > 7.5 → imbalanced → least load, the cache notwithstanding
        Assert.Equal(0, Route(10, 7)); // diff 3 ≤ 4 → balanced → the cached engine
        Assert.Equal(0, Route(40, 30)); // diff 10 > 4 but 40 ≤ 45 → balanced
    }

    [Fact]
    public void Sglang_needs_a_match_rate_above_cache_threshold_and_still_records_the_prompt()
    {
        var sglang = new SglangCacheAwareSelector(new PrefixAffinity(), new SglangCacheAwareThresholds(CacheThreshold: 0.5));
        sglang.Affinity.Index.Record(0, [1, 2]);
        EngineView[] engines = [View(0, running: 3), View(1, running: 2)];
        Assert.Equal(1, sglang.Route(Prompt(1, 2, 3, 4), engines, 0)); // rate 0.5 is not > 0.5
        Assert.True(sglang.Affinity.Index.Contains(1, 4));
        Assert.Equal(1, sglang.Route(Prompt(1, 2, 3, 4, 5), engines, 0)); // engine 1 now holds 4 of 5
    }

    [Fact]
    public void Sglang_precise_mode_prefers_overlap_then_load()
    {
        var sglang = new SglangCacheAwareSelector(new PrefixAffinity(PrefixIndexMode.Precise), new SglangCacheAwareThresholds());
        sglang.Affinity.OnBlocksStored(0, [1]);
        sglang.Affinity.OnBlocksStored(1, [1]);
        EngineView[] engines = [View(0, running: 3), View(1, running: 2), View(2)];
        Assert.Equal(1, sglang.Route(Prompt(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), engines, 0)); // 10% overlap still wins
        Assert.Equal(2, sglang.Route(Prompt(9), engines, 0)); // no overlap → least load
    }

    [Fact]
    public void Dynamo_reproduces_the_documented_three_worker_example()
    {
        // kv_cache_routing.md: raw prefill 10 blocks each; overlap 2/5/8; decode 10/5/9 → costs 18, 10, 11.
        var dynamo = new DynamoKvCostSelector(new PrefixAffinity(PrefixIndexMode.Precise, blockSize: 16), new DynamoKvCostWeights(), seed: 0);
        var prompt = Enumerable.Range(1, 10).Select(i => (ulong)i).ToArray();
        dynamo.Affinity.OnBlocksStored(0, prompt[..2]);
        dynamo.Affinity.OnBlocksStored(1, prompt[..5]);
        dynamo.Affinity.OnBlocksStored(2, prompt[..8]);
        // The docs' decode blocks held as running tokens; every worker adds the prompt's own 10 → 28, 20, 21.
        EngineView[] engines = [View(0, runningTokens: 10 * 16), View(1, runningTokens: 5 * 16), View(2, runningTokens: 9 * 16)];
        Assert.Equal(1, dynamo.Route(Prompt(prompt), engines, 0));
    }

    [Fact]
    public void Dynamo_pending_prefill_outweighs_a_small_overlap()
    {
        var dynamo = new DynamoKvCostSelector(new PrefixAffinity(PrefixIndexMode.Precise), new DynamoKvCostWeights(), seed: 0);
        dynamo.Affinity.OnBlocksStored(0, [1, 2]);
        // A waiting prompt of 64 tokens costs 4 prefill + 4 decode blocks; the credit is 2: 12 against 6.
        Assert.Equal(1, dynamo.Route(Prompt(1, 2, 3), [View(0, pending: 64), View(1)], 0));
        // One running block elsewhere: (3 − 2) + 3 = 4 against 3 + 1 + 3 = 7.
        Assert.Equal(0, dynamo.Route(Prompt(1, 2, 3), [View(0), View(1, runningTokens: 16)], 0));
    }

    [Fact]
    public void Dynamo_temperature_samples_every_engine_and_favours_the_cheapest()
    {
        var dynamo = new DynamoKvCostSelector(new PrefixAffinity(PrefixIndexMode.Precise), new DynamoKvCostWeights(Temperature: 1), seed: 5);
        EngineView[] engines = [View(0), View(1, pending: 160), View(2, pending: 320)];
        var picks = Enumerable.Range(0, 600).Select(_ => dynamo.Route(Prompt(1), engines, 0)).ToList();
        var counts = Enumerable.Range(0, 3).Select(e => picks.Count(p => p == e)).ToArray();
        Assert.All(counts, c => Assert.True(c > 0));
        Assert.True(counts[0] > counts[1] && counts[1] > counts[2], string.Join(",", counts));
    }
}
