using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>
/// <c>prefix-pressure</c>: Strata's dispatch — <see cref="PressureAwareSelector"/>'s score with the
/// request's own prefill added, so each engine is scored by the prefill work a new request would
/// wait behind plus the part of its prompt that engine would still have to compute:
/// <code>
/// score(e) = gimbal-pressure score(e) − prefill_weight · cached_tokens(e) / prefill_scale_tokens
/// </code>
/// where <c>cached_tokens(e)</c> is the prompt's longest prefix the engine holds, from the prefix
/// index (approximate or precise, <see cref="PrefixAffinity"/>). Load and cache affinity are one
/// unit — prefill tokens — so neither needs a hand-tuned switch: a cached prefix wins exactly as
/// long as it saves more prefill than the engine's extra backlog costs (compare SGLang's balance
/// thresholds and llm-d's fixed scorer weights, <c>llm-d/llm-d-router</c> @ ebab6879). A cached token is
/// weighted <c>cache_weight</c> (default 8) times a pending one: a miss recomputes the prefix — work
/// every request on that engine then waits behind — while pending prefill overstates a newcomer's
/// wait, since chunked prefill shares each step's token budget. On the multi-turn chat workload at
/// 3 req/s, weights 1 / 2 / 4 / 8 / 16 give mean TTFT 102 / 93 / 89 / 86 / 86 ms (docs/results.md).
/// Options: those of <c>gimbal-pressure</c>, of the prefix index, and <c>cache_weight</c>.
/// </summary>
public sealed class PrefixPressureSelector(PressureWeights weights, PrefixAffinity affinity, double cacheWeight = PrefixPressureSelector.DefaultCacheWeight)
    : IPrefixAwareSelector
{
    public const string PolicyName = "prefix-pressure";

    public const double DefaultCacheWeight = 8;

    private int _scanStart;

    public string Name => PolicyName;

    public SignalFields Requires => weights.Requires | Affinity.Requires;

    public void OnAbandoned(in DispatchRequest request, int engine) => Affinity.OnAbandoned(engine, request);

    public PrefixAffinity Affinity { get; } = affinity;

    public static PrefixPressureSelector FromOptions(PolicyOptions options)
    {
        options.RejectUnknownKeys([.. PressureAwareSelector.OptionKeys, .. PrefixAffinity.OptionKeys, "cache_weight"]);
        return new PrefixPressureSelector(PressureAwareSelector.WeightsFrom(options), PrefixAffinity.FromOptions(options),
            options.GetDouble("cache_weight", DefaultCacheWeight, 0));
    }

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now) =>
        weights.Lowest(engines, _scanStart, Affinity.Match(request, engines), cacheWeight * weights.TokenScore * Affinity.BlockSize);

    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now)
    {
        _scanStart = (_scanStart % engines.Length + 1) % engines.Length;
        Affinity.OnRouted(engine, request, engines);
    }
}
