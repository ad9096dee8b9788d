using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>
/// <c>llmd</c>: llm-d Router's default scheduling profile (<c>loadDefaultConfig</c>,
/// <c>llm-d/llm-d-router</c> @ ebab6879, <c>pkg/epp/framework/plugins/scheduling/scorer/</c>): score = Σ wᵢ·clamp(scoreᵢ, 0, 1),
/// highest wins, ties broken uniformly at random (the <c>max-score-picker</c> shuffles before
/// sorting; here a generator seeded by <c>seed</c>):
/// <list type="bullet">
/// <item><c>queue-scorer</c> (<c>queue_weight</c> 2): (maxQ − q)/(maxQ − minQ) over the healthy
/// engines, 1 when all are equal; q is the scraped waiting-queue size (<see cref="EngineView.Waiting"/>,
/// no router in-flight term, as in llm-d's default profile).</item>
/// <item><c>kv-cache-utilization-scorer</c> (<c>kv_cache_weight</c> 2): 1 − KV usage.</item>
/// <item><c>prefix-cache-scorer</c> (<c>prefix_weight</c> 3) with <c>matchLengthWeight</c> 0:
/// matched blocks / the prompt's blocks, 0 for a prompt without full blocks.</item>
/// </list>
/// The prefix match is per engine and consecutive (a <see cref="PrefixIndex"/>); llm-d's
/// approximate producer, which records the prompt on the chosen engine after the pick, is the
/// default <c>prefix_mode: approximate</c>. llm-d clamps blocks up to 64 tokens to bound its
/// memory; here the block size is the one the prompt was hashed with.
/// </summary>
public sealed class LlmdWeightedScorerSelector : IPrefixAwareSelector
{
    public const string PolicyName = "llmd";

    private readonly double _queueWeight;
    private readonly double _kvWeight;
    private readonly double _prefixWeight;
    private DecisionRandom _random;

    public LlmdWeightedScorerSelector(PrefixAffinity affinity, int seed, double queueWeight = 2, double kvWeight = 2, double prefixWeight = 3)
    {
        Affinity = affinity;
        _random = new DecisionRandom(seed);
        (_queueWeight, _kvWeight, _prefixWeight) = (queueWeight, kvWeight, prefixWeight);
    }

    public string Name => PolicyName;

    public SignalFields Requires => Affinity.Requires;

    public void OnAbandoned(in DispatchRequest request, int engine) => Affinity.OnAbandoned(engine, request);

    public PrefixAffinity Affinity { get; }

    public static LlmdWeightedScorerSelector FromOptions(PolicyOptions options)
    {
        options.RejectUnknownKeys([.. PrefixAffinity.OptionKeys, "seed", "queue_weight", "kv_cache_weight", "prefix_weight"]);
        return new LlmdWeightedScorerSelector(PrefixAffinity.FromOptions(options), options.GetInt("seed", 0),
            options.GetDouble("queue_weight", 2, 0), options.GetDouble("kv_cache_weight", 2, 0), options.GetDouble("prefix_weight", 3, 0));
    }

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        int minQueue = int.MaxValue, maxQueue = int.MinValue;
        foreach (ref readonly var engine in engines)
        {
            if (!engine.Healthy) continue;
            minQueue = Math.Min(minQueue, engine.Waiting);
            maxQueue = Math.Max(maxQueue, engine.Waiting);
        }
        if (minQueue > maxQueue) return -1;
        var order = new ScoreOrder(this, Affinity.Match(request, engines), request.BlockHashes.Length, minQueue, maxQueue);
        return EngineScan.Best(engines, order, ties: _random);
    }

    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now)
    {
        Affinity.OnRouted(engine, request, engines);
        _random.Advance();
    }

    /// <summary>The weighted sum of the three scorers, each clamped to [0, 1]; highest first.</summary>
    private readonly ref struct ScoreOrder(LlmdWeightedScorerSelector selector, ReadOnlySpan<int> matched, int promptBlocks, int minQueue, int maxQueue) : IEngineOrder
    {
        private readonly ReadOnlySpan<int> _matched = matched;

        public bool Eligible(ReadOnlySpan<EngineView> engines, int i) => true;

        public int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b) => 0;

        /// <summary>Negated, so the highest weighted sum is the lowest score.</summary>
        public double Score(ReadOnlySpan<EngineView> engines, int i)
        {
            ref readonly var engine = ref engines[i];
            var queue = maxQueue == minQueue ? 1.0 : (double)(maxQueue - engine.Waiting) / (maxQueue - minQueue);
            var kv = Math.Clamp(1 - engine.KvUsage, 0, 1);
            var prefix = promptBlocks == 0 ? 0 : (double)_matched[i] / promptBlocks;
            return -(selector._queueWeight * queue + selector._kvWeight * kv + selector._prefixWeight * prefix);
        }
    }
}
