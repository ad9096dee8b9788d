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
        if (_processed.Length < engines.Length) Array.Resize(ref _processed, Math.Max(engines.Length, 2 * _processed.Length));
        int leastLoaded = -1, maxLoad = int.MinValue;
        double minKv = double.MaxValue, maxKv = double.MinValue;
        for (var i = 0; i < engines.Length; i++)
        {
            ref readonly var engine = ref engines[i];
            if (!engine.Healthy) continue;
            if (leastLoaded < 0 || IsLessLoaded(engines, i, leastLoaded)) leastLoaded = i;
            maxLoad = Math.Max(maxLoad, Load(engine));
            minKv = Math.Min(minKv, engine.KvUsage);
            maxKv = Math.Max(maxKv, engine.KvUsage);
        }
        if (leastLoaded < 0) return -1;

        var minLoad = Load(engines[leastLoaded]);
        var imbalanced = maxKv > _thresholds.OverloadTokenUsageThreshold
            || maxKv - minKv > _thresholds.BalanceTokenUsageThreshold
            || (maxLoad - minLoad > _thresholds.BalanceAbsThreshold && maxLoad > _thresholds.BalanceRelThreshold * minLoad);
        var matched = Affinity.Match(request, engines);
        var chosen = imbalanced ? leastLoaded
            : Affinity.Mode == PrefixIndexMode.Precise ? BestOverlap(engines, matched, leastLoaded)
            : BestMatchAboveThreshold(engines, matched, request.BlockHashes.Length, leastLoaded);
        Affinity.OnRouted(chosen, request);
        _processed[chosen]++;
        return chosen;
    }

    private bool IsLessLoaded(ReadOnlySpan<EngineView> engines, int a, int b)
    {
        int loadA = Load(engines[a]), loadB = Load(engines[b]);
        return loadA != loadB ? loadA < loadB : _processed[a] < _processed[b];
    }

    private int BestMatchAboveThreshold(ReadOnlySpan<EngineView> engines, ReadOnlySpan<int> matched, int promptBlocks, int leastLoaded)
    {
        var best = -1;
        for (var i = 0; i < engines.Length; i++)
        {
            if (!engines[i].Healthy || matched[i] == 0) continue;
            if (best < 0 || matched[i] > matched[best] || (matched[i] == matched[best] && Load(engines[i]) < Load(engines[best]))) best = i;
        }
        return best >= 0 && (double)matched[best] / promptBlocks > _thresholds.CacheThreshold ? best : leastLoaded;
    }

    private int BestOverlap(ReadOnlySpan<EngineView> engines, ReadOnlySpan<int> matched, int leastLoaded)
    {
        var best = -1;
        for (var i = 0; i < engines.Length; i++)
        {
            if (!engines[i].Healthy || matched[i] == 0) continue;
            if (best < 0 || IsBetterOverlap(engines, matched, i, best)) best = i;
        }
        return best >= 0 ? best : leastLoaded;
    }

    private bool IsBetterOverlap(ReadOnlySpan<EngineView> engines, ReadOnlySpan<int> matched, int a, int b)
    {
        if (matched[a] != matched[b]) return matched[a] > matched[b];
        int loadA = Load(engines[a]), loadB = Load(engines[b]);
        if (loadA != loadB) return loadA < loadB;
        return Affinity.Index.Count(a) < Affinity.Index.Count(b);
    }
}

/// <summary>SGLang <c>cache_aware</c> knobs; see <see cref="SglangCacheAwareSelector"/>.</summary>
public sealed record SglangCacheAwareThresholds(
    double CacheThreshold = 0.3,
    int BalanceAbsThreshold = 64,
    double BalanceRelThreshold = 1.5,
    double BalanceTokenUsageThreshold = 1.0,
    double OverloadTokenUsageThreshold = 1.0);
