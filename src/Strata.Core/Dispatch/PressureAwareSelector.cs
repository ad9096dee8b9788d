using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>
/// <c>gimbal-pressure</c>: the follow-up paper's pressure-aware dispatch (arXiv 2606.15177). Its
/// abstract names the signals — "KV cache usage, remaining prefill work, queue pressure, and MoE
/// expert pressure" — but the functional form and weights were not retrievable
/// (arXiv 2606.15177 names its signals in the abstract but not the formula), so this is Strata's own documented score, lowest wins:
/// <code>
/// score(e) = kv_weight     · KV(e)
///          + prefill_weight · (remaining prefill of running + waiting prefill + in-flight prefill)(e) / prefill_scale_tokens
///          + queue_weight   · (waiting + in-flight requests)(e)
///          + expert_weight  · ExpertPressure(e)
/// </code>
/// with a KV guard: engines at or above <c>theta_kv</c> (0.9, Gimbal's θkv) are excluded unless
/// every healthy engine is. Defaults and why:
/// <list type="bullet">
/// <item><c>prefill_scale_tokens</c> 3000 with <c>prefill_weight</c> 1: one unit of score is one large
/// request's prefill (Gimbal's θload: 97.6% of BurstGPT requests are ≤ 3000 tokens). Pending prefill
/// is the dominant term because it is what a new request waits behind before its first token.</item>
/// <item><c>queue_weight</c> 0.25: four queued requests weigh one large prefill; the count adds the
/// per-request cost that tokens miss (scheduler slots under <c>max_num_seqs</c>, one more sequence to
/// decode per step), as vLLM's own balancer weighs waiting requests.</item>
/// <item><c>kv_weight</c> 1: going from empty to full KV costs one large prefill — roughly the
/// recompute a preemption causes near saturation — and breaks ties towards free memory below the guard.</item>
/// <item><c>expert_weight</c> 1: <see cref="EngineView.ExpertPressure"/> is dimensionless (0 when
/// unknown or balanced); a pressure of 1 costs as much as one large prefill, since an engine whose
/// tokens hit hot EP ranks stretches every lockstep MoE step it takes part in.</item>
/// </list>
/// Ties go to the first engine of a scan whose start rotates per pick (as vLLM's current balancer
/// does), so idle pools are filled round-robin.
/// </summary>
public sealed class PressureAwareSelector : IEngineSelector
{
    public const string PolicyName = "gimbal-pressure";

    private readonly PressureWeights _weights;
    private int _scanStart;

    public PressureAwareSelector(PressureWeights weights) => _weights = weights;

    public string Name => PolicyName;

    public SignalFields Requires => _weights.Requires;

    /// <summary>The options of the score; <see cref="PrefixPressureSelector"/> accepts them too.</summary>
    internal static readonly string[] OptionKeys = ["theta_kv", "kv_weight", "prefill_weight", "prefill_scale_tokens", "queue_weight", "expert_weight"];

    public static PressureAwareSelector FromOptions(PolicyOptions options)
    {
        options.RejectUnknownKeys(OptionKeys);
        return new PressureAwareSelector(WeightsFrom(options));
    }

    internal static PressureWeights WeightsFrom(PolicyOptions options) => new(
        ThetaKv: options.GetDouble("theta_kv", 0.9, 0, 1),
        KvWeight: options.GetDouble("kv_weight", 1, 0),
        PrefillWeight: options.GetDouble("prefill_weight", 1, 0),
        PrefillScaleTokens: options.GetDouble("prefill_scale_tokens", 3000, 1),
        QueueWeight: options.GetDouble("queue_weight", 0.25, 0),
        ExpertWeight: options.GetDouble("expert_weight", 1, 0));

    public double Score(in EngineView engine) => _weights.Score(engine);

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now) =>
        _weights.Lowest(engines, _scanStart, [], 0);

    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now) =>
        _scanStart = (_scanStart % engines.Length + 1) % engines.Length;
}

/// <summary>
/// The weights of <see cref="PressureAwareSelector"/>'s score (see there for the defaults' reasons), the
/// score itself, and the scan that picks the lowest: <c>gimbal-pressure</c> and <c>prefix-pressure</c> share both.
/// </summary>
public sealed record PressureWeights(
    double ThetaKv = 0.9,
    double KvWeight = 1,
    double PrefillWeight = 1,
    double PrefillScaleTokens = 3000,
    double QueueWeight = 0.25,
    double ExpertWeight = 1)
{
    /// <summary>A positive expert weight scores expert pressure, which a world must supply.</summary>
    public SignalFields Requires => ExpertWeight > 0 ? SignalFields.ExpertPressure : SignalFields.None;

    public double Score(in EngineView engine) =>
        KvWeight * engine.KvUsage
        + PrefillWeight * engine.PendingPrefillTokens / PrefillScaleTokens
        + QueueWeight * engine.QueuedRequests
        + ExpertWeight * engine.ExpertPressure;

    /// <summary>One prompt token's prefill in the score's units.</summary>
    public double TokenScore => PrefillWeight / PrefillScaleTokens;

    /// <summary>
    /// The lowest score, less <paramref name="creditPerBlock"/> for each prompt block an engine already
    /// caches (none when <paramref name="cachedBlocks"/> is empty), among the engines under the KV guard,
    /// or among all healthy engines when every one is at or above it. The scan starts at
    /// <paramref name="start"/> (mod the pool); ties go to the first engine scanned.
    /// </summary>
    public int Lowest(ReadOnlySpan<EngineView> engines, int start, ReadOnlySpan<int> cachedBlocks, double creditPerBlock)
    {
        if (engines.IsEmpty) return -1;
        start %= engines.Length;
        var best = EngineScan.Best(engines, new Order(this, true, cachedBlocks, creditPerBlock), start);
        return best >= 0 ? best : EngineScan.Best(engines, new Order(this, false, cachedBlocks, creditPerBlock), start);
    }

    private readonly ref struct Order(PressureWeights weights, bool guardKv, ReadOnlySpan<int> cachedBlocks, double creditPerBlock) : IEngineOrder
    {
        private readonly ReadOnlySpan<int> _cached = cachedBlocks;

        public bool Eligible(ReadOnlySpan<EngineView> engines, int i) => !guardKv || engines[i].KvUsage < weights.ThetaKv;

        public double Score(ReadOnlySpan<EngineView> engines, int i) => weights.Score(engines[i]) - (_cached.IsEmpty ? 0 : creditPerBlock * _cached[i]);

        public int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b) => 0;
    }
}
