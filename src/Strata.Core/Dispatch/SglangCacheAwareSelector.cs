using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>
/// <c>sglang-cache-aware</c>: SGLang's / Shepherd Model Gateway's default <c>cache_aware</c> policy
/// (<c>smg:model_gateway/src/policies/cache_aware.rs</c> @ 73da68ca, the continuation of SGLang's router).
/// Load is the router's in-flight count (requests sent and not finished: waiting + in flight +
/// running); the least-loaded engine breaks ties by fewer requests routed to it, then index.
/// <list type="number">
/// <item>Imbalanced when max KV &gt; <c>overload_token_usage_threshold</c>, or KV spread &gt;
/// <c>balance_token_usage_threshold</c> (both 1.0 = off), or (max − min load &gt;
/// <c>balance_abs_threshold</c> AND max load &gt; <c>balance_rel_threshold</c>·min load) → least loaded.</item>
/// <item>Otherwise, approximate mode (SMG's token tree, here the <see cref="PrefixIndex"/> fed by
/// routing history): match rate = longest matched blocks / prompt blocks; above
/// <c>cache_threshold</c> → the engine holding that match (fewer in-flight on ties), else least loaded.
/// Precise mode (SMG's event-driven mode): the max of (overlap, −load, −index size) among engines
/// with overlap &gt; 0, else least loaded.</item>
/// <item>The prompt is recorded under the chosen engine on every path, imbalanced included.</item>
/// </list>
/// Defaults are the CLI's (<c>RouterArgs</c>), what deployments run: cache_threshold 0.3,
/// balance_abs_threshold 64, balance_rel_threshold 1.5.
/// </summary>
public sealed class SglangCacheAwareSelector : IPrefixAwareSelector
{
    public const string PolicyName = "sglang-cache-aware";

    private readonly SglangCacheAwareThresholds _thresholds;
    private long[] _processed = new long[8];

    public SglangCacheAwareSelector(PrefixAffinity affinity, SglangCacheAwareThresholds thresholds)
    {
        Affinity = affinity;
        _thresholds = thresholds;
    }

    public string Name => PolicyName;

    public SignalFields Requires => Affinity.Requires;

    public void OnAbandoned(in DispatchRequest request, int engine)
    {
        Affinity.OnAbandoned(engine, request);
        if (engine < _processed.Length) _processed[engine]--;
    }

    public PrefixAffinity Affinity { get; }

    public static SglangCacheAwareSelector FromOptions(PolicyOptions options)
    {
        options.RejectUnknownKeys([.. PrefixAffinity.OptionKeys, "cache_threshold", "balance_abs_threshold", "balance_rel_threshold",
            "balance_token_usage_threshold", "overload_token_usage_threshold"]);
        return new SglangCacheAwareSelector(PrefixAffinity.FromOptions(options), new SglangCacheAwareThresholds(
            CacheThreshold: options.GetDouble("cache_threshold", 0.3, 0, 1),
            BalanceAbsThreshold: options.GetInt("balance_abs_threshold", 64, 0),
            BalanceRelThreshold: options.GetDouble("balance_rel_threshold", 1.5, 0),
            BalanceTokenUsageThreshold: options.GetDouble("balance_token_usage_threshold", 1.0, 0),
            OverloadTokenUsageThreshold: options.GetDouble("overload_token_usage_threshold", 1.0, 0)));
    }

    public static int Load(in EngineView engine) => engine.QueuedRequests + engine.Running;

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var leastLoaded = EngineScan.Best(engines, new LeastLoadedOrder(this));
        if (leastLoaded < 0) return -1;
        int maxLoad = int.MinValue;
        double minKv = double.MaxValue, maxKv = double.MinValue;
        foreach (ref readonly var engine in engines)
        {
            if (!engine.Healthy) continue;
            maxLoad = Math.Max(maxLoad, Load(engine));
            minKv = Math.Min(minKv, engine.KvUsage);
            maxKv = Math.Max(maxKv, engine.KvUsage);
        }
        var minLoad = Load(engines[leastLoaded]);
        var imbalanced = maxKv > _thresholds.OverloadTokenUsageThreshold
            || maxKv - minKv > _thresholds.BalanceTokenUsageThreshold
            || (maxLoad - minLoad > _thresholds.BalanceAbsThreshold && maxLoad > _thresholds.BalanceRelThreshold * minLoad);
        if (imbalanced) return leastLoaded;
        var matched = Affinity.Match(request, engines);
        var precise = Affinity.Mode == PrefixIndexMode.Precise;
        var best = EngineScan.Best(engines, new OverlapOrder(this, matched, BreakTiesByTreeSize: precise));
        // Approximate mode (SGLang's radix tree) takes the best match only above cache_threshold of the prompt.
        var cacheHit = best >= 0 && (precise || (double)matched[best] / request.BlockHashes.Length > _thresholds.CacheThreshold);
        return cacheHit ? best : leastLoaded;
    }

    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now)
    {
        Affinity.OnRouted(engine, request, engines);
        if (_processed.Length <= engine) Array.Resize(ref _processed, Math.Max(engine + 1, 2 * _processed.Length));
        _processed[engine]++;
    }

    private long Processed(int engine) => engine < _processed.Length ? _processed[engine] : 0;

    /// <summary>Fewest queued + running requests; on a tie, fewest requests this router has sent (SMG's processed count).</summary>
    private readonly struct LeastLoadedOrder(SglangCacheAwareSelector selector) : IEngineOrder
    {
        public bool Eligible(ReadOnlySpan<EngineView> engines, int i) => true;

        public double Score(ReadOnlySpan<EngineView> engines, int i) => Load(engines[i]);

        public int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b) => selector.Processed(a).CompareTo(selector.Processed(b));
    }

    /// <summary>
    /// Engines holding part of the prompt: the longest match first, then the least loaded; in precise mode
    /// (the event-fed tree) then the smallest tree.
    /// </summary>
    private readonly ref struct OverlapOrder(SglangCacheAwareSelector selector, ReadOnlySpan<int> matched, bool BreakTiesByTreeSize) : IEngineOrder
    {
        private readonly ReadOnlySpan<int> _matched = matched;

        public bool Eligible(ReadOnlySpan<EngineView> engines, int i) => _matched[i] > 0;

        public double Score(ReadOnlySpan<EngineView> engines, int i) => -_matched[i];

        public int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b)
        {
            var byLoad = Load(engines[a]).CompareTo(Load(engines[b]));
            if (byLoad != 0 || !BreakTiesByTreeSize) return byLoad;
            return selector.Affinity.Index.Count(a).CompareTo(selector.Affinity.Index.Count(b));
        }
    }
}

/// <summary>SGLang <c>cache_aware</c> knobs; see <see cref="SglangCacheAwareSelector"/>.</summary>
public sealed record SglangCacheAwareThresholds(
    double CacheThreshold = 0.3,
    int BalanceAbsThreshold = 64,
    double BalanceRelThreshold = 1.5,
    double BalanceTokenUsageThreshold = 1.0,
    double OverloadTokenUsageThreshold = 1.0);
