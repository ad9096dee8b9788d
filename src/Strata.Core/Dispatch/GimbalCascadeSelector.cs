using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>
/// <c>gimbal</c>: Algorithm 1 of Gimbal (arXiv 2602.21626v1, Algorithm 1), line by line:
/// <code>
///  1 e* ← default engine                      (round-robin or vllm-dp: parameter default)
///  2 if metric data available                 (every healthy view ≤ max_signal_age_s old)
///  3-4  i_max, i_min ← argmax, argmin KV_usage over healthy engines (first index on ties)
///  5    if KV[i_max] ≥ θkv
///  6       if KV[i_max] − KV[i_min] ≥ θdiff → e* ← i_min
///  9-10    else if max RunningLoad − min RunningLoad > θload → e* ← argmin RunningLoad
/// 15    else if the request has a user and user_engine_map holds an unexpired entry → e* ← it
/// 21 user_engine_map[user] ← e*                (also when e* is the default)
/// </code>
/// Operators are the paper's: ≥ on lines 5–6, &gt; on line 10. Line 1 runs on every request, so
/// the default selector's state (the round-robin cursor) advances even when a later line
/// overrides it, as written. The KV gap on line 6 is compared with a 1e-9 tolerance so that
/// usages reported as fractions (0.95 − 0.85 = 0.0999…) meet θdiff = 0.10 at equality as the
/// paper's percentages do.
/// <para>RunningLoad is "the number of running and waiting tokens": <see cref="EngineView.RunningTokens"/>
/// (prompt + generated tokens of running requests) + <see cref="EngineView.WaitingPrefillTokens"/>
/// + <see cref="EngineView.InFlightPrefillTokens"/> (requests sent but not yet in the snapshot are
/// waiting from the engine's point of view). Remaining prefill of running requests is not added
/// again: those tokens are already in RunningTokens.</para>
/// <para>The paper leaves the map's TTL unspecified; <c>sticky_ttl_s</c> defaults to 300 s, llm-d's
/// session TTL (llm-d's session-affinity scorer, <c>llm-d/llm-d-router</c> @ ebab6879, <c>pkg/epp/framework/plugins/scheduling/scorer/</c>). The TTL slides: line 21 refreshes it on every request.
/// A sticky engine that is no longer healthy is not used. <c>max_signal_age_s</c> defaults to
/// 10 s, two of vLLM's idle stats-publish periods (5 s, the DP coordinator in <c>vllm/v1/engine/coordinator.py</c>), so an idle engine's
/// unchanged snapshot still counts as data while a dead scrape does not.</para>
/// </summary>
public sealed class GimbalCascadeSelector : IEngineSelector
{
    public const string PolicyName = "gimbal";

    /// <summary>Floating-point slack on the KV-gap comparison (line 6).</summary>
    internal const double KvGapTolerance = 1e-9;

    private readonly IEngineSelector _default;
    private readonly StickyEngineMap _userEngineMap;

    public GimbalCascadeSelector(GimbalThresholds thresholds, IEngineSelector defaultSelector)
    {
        Thresholds = thresholds;
        _default = defaultSelector;
        _userEngineMap = new StickyEngineMap(thresholds.StickyTtlSeconds);
    }

    public string Name => PolicyName;

    public SignalFields Requires => _default.Requires;

    public void OnAbandoned(in DispatchRequest request, int engine) => _default.OnAbandoned(request, engine);

    public GimbalThresholds Thresholds { get; }

    /// <summary>Which branch of the cascade made the last routed decision, for tests and traces.</summary>
    public GimbalBranch LastBranch { get; private set; }

    public static GimbalCascadeSelector FromOptions(PolicyOptions options)
    {
        options.RejectUnknownKeys("theta_kv", "theta_diff", "theta_load", "sticky_ttl_s", "max_signal_age_s", "default");
        var thresholds = new GimbalThresholds(
            ThetaKv: options.GetDouble("theta_kv", 0.9, 0, 1),
            ThetaDiff: options.GetDouble("theta_diff", 0.10, 0, 1),
            ThetaLoad: options.GetInt("theta_load", 3000, 0),
            StickyTtlSeconds: options.GetDouble("sticky_ttl_s", 300, 0.001),
            MaxSignalAgeSeconds: options.GetDouble("max_signal_age_s", 10, 0));
        IEngineSelector fallback = options.GetChoice("default", RoundRobinSelector.PolicyName, RoundRobinSelector.PolicyName, VllmDataParallelSelector.PolicyName) switch
        {
            // The paper's vLLM (0.9.1) balanced with the classic rule.
            VllmDataParallelSelector.PolicyName => new VllmDataParallelSelector(VllmDataParallelRule.Classic),
            _ => new RoundRobinSelector(),
        };
        return new GimbalCascadeSelector(thresholds, fallback);
    }

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now) => Decide(request, engines, now).Engine;

    /// <summary>
    /// Line 1's state moves on every routed request, as written, even when a later line overrides
    /// the default engine (the round-robin cursor advances past the default, not the chosen one);
    /// line 21 maps the user to the engine chosen.
    /// </summary>
    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now)
    {
        var (_, branch) = Decide(request, engines, now);
        var defaultEngine = _default.Select(request, engines, now);
        if (defaultEngine >= 0) _default.OnRouted(request, defaultEngine, engines, now);
        if (request.User is { } key) _userEngineMap.Set(key, engine, now);               // line 21
        LastBranch = branch;
    }

    private (int Engine, GimbalBranch Branch) Decide(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var chosen = _default.Select(request, engines, now);                                   // line 1
        if (chosen < 0 || !MetricsAvailable(engines)) return (chosen, GimbalBranch.Default);    // line 2
        var iMax = EngineScan.Best(engines, new KvOrder(Descending: true));                   // lines 3-4
        var iMin = EngineScan.Best(engines, new KvOrder(Descending: false));
        if (engines[iMax].KvUsage >= Thresholds.ThetaKv)                                       // line 5
        {
            if (engines[iMax].KvUsage - engines[iMin].KvUsage >= Thresholds.ThetaDiff - KvGapTolerance) // line 6
                return (iMin, GimbalBranch.KvGap);                                             // line 7
            if (LeastRunningLoadIfImbalanced(engines) is var least and >= 0)                   // lines 9-10
                return (least, GimbalBranch.TokenLoad);                                        // lines 11-12
        }
        else if (request.User is { } user                                                      // line 15
                 && _userEngineMap.TryGet(user, now, out var sticky)                           // line 16
                 && EngineScan.IsHealthy(engines, sticky))
        {
            return (sticky, GimbalBranch.UserAffinity);                                        // line 17
        }
        return (chosen, GimbalBranch.Default);                                                 // line 22
    }

    /// <summary>RunningLoad as documented on the class.</summary>
    public static long RunningLoad(in EngineView engine) =>
        engine.RunningTokens + engine.WaitingPrefillTokens + engine.InFlightPrefillTokens;

    private bool MetricsAvailable(ReadOnlySpan<EngineView> engines)
    {
        foreach (ref readonly var engine in engines)
            if (engine.Healthy && !(engine.SignalAge <= Thresholds.MaxSignalAgeSeconds)) return false;
        return true;
    }

    private int LeastRunningLoadIfImbalanced(ReadOnlySpan<EngineView> engines)
    {
        var iMin = -1;
        var loadMin = long.MaxValue;
        var loadMax = long.MinValue;
        for (var i = 0; i < engines.Length; i++)
        {
            if (!engines[i].Healthy) continue;
            var load = RunningLoad(engines[i]);
            if (load < loadMin) (loadMin, iMin) = (load, i);
            loadMax = Math.Max(loadMax, load);
        }
        return loadMax - loadMin > Thresholds.ThetaLoad ? iMin : -1;
    }
}

/// <summary>KV usage order, first index on ties (lines 3–4 of Algorithm 1).</summary>
internal readonly record struct KvOrder(bool Descending) : IEngineOrder
{
    public bool Eligible(ReadOnlySpan<EngineView> engines, int i) => true;

    public double Score(ReadOnlySpan<EngineView> engines, int i) => Descending ? -engines[i].KvUsage : engines[i].KvUsage;

    public int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b) => 0;
}

/// <summary>Gimbal Algorithm 1's thresholds (paper §V-A2) and the choices the paper leaves open.</summary>
/// <param name="ThetaKv">KV usage (0..1) at which an engine counts as saturated; paper 0.9.</param>
/// <param name="ThetaDiff">KV usage gap (0..1) that sends a request to the least-used engine; paper 10% = 0.10.</param>
/// <param name="ThetaLoad">RunningLoad gap in tokens that sends a request to the least-loaded engine; paper 3000.</param>
/// <param name="StickyTtlSeconds">How long a user→engine mapping lives after its last use.</param>
/// <param name="MaxSignalAgeSeconds">Views older than this mean "no metric data".</param>
public sealed record GimbalThresholds(
    double ThetaKv = 0.9,
    double ThetaDiff = 0.10,
    long ThetaLoad = 3000,
    double StickyTtlSeconds = 300,
    double MaxSignalAgeSeconds = 10);

/// <summary>The branch of Gimbal's cascade that chose the engine.</summary>
public enum GimbalBranch
{
    /// <summary>Line 1: the default selector's engine (no metrics, no saturation, no sticky user).</summary>
    Default,
    /// <summary>Line 7: KV saturated and the KV gap reached θdiff → least KV usage.</summary>
    KvGap,
    /// <summary>Line 12: KV saturated, small KV gap, token-load gap above θload → least RunningLoad.</summary>
    TokenLoad,
    /// <summary>Line 17: no KV saturation, the user's unexpired engine.</summary>
    UserAffinity,
}
