using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>
/// <c>sticky</c>: session stickiness around an inner policy. A request whose key (<c>key: session</c>,
/// the default, uses the session id and falls back to the user; <c>key: user</c> uses the user only)
/// was routed within the last <c>ttl_s</c> seconds (default 300, llm-d's session TTL; sliding)
/// goes back to the same engine, so its conversation's prefix cache is reused — unless that
/// engine is unhealthy or overloaded:
/// <list type="bullet">
/// <item>KV usage ≥ <c>overload_kv</c> (default 0.9, Gimbal's θkv: stickiness must not deepen KV imbalance), or</item>
/// <item>pending prefill tokens &gt; <c>overload_factor</c> (default 2) × the mean of the other healthy
/// engines + <c>overload_slack_tokens</c> (default 3000, one large request as Gimbal's θload). The 2×
/// follows the hybrid sticky-with-load-override rule that kept prefix hits at equal TTFT in an
/// agentic routing study (gahow/agentic-kvc @ 012d73f: prefix hits 44.7% → 49.4% at equal TTFT on 8×H20); the mean excludes the sticky engine so the rule
/// also works for two engines.</item>
/// </list>
/// Otherwise, and for requests without a key, the inner policy (<c>inner</c>, default
/// <c>least-load</c>, created with its default parameters) decides, and the key is remapped.
/// </summary>
public sealed class StickySessionSelector : IEngineSelector
{
    public const string PolicyName = "sticky";

    private readonly IEngineSelector _inner;
    private readonly StickyEngineMap _sessions;
    private readonly StickyOptions _options;

    public StickySessionSelector(IEngineSelector inner, StickyOptions options)
    {
        _inner = inner;
        _options = options;
        _sessions = new StickyEngineMap(options.TtlSeconds);
    }

    public string Name => PolicyName;

    public SignalFields Requires => _inner.Requires;

    public void OnAbandoned(in DispatchRequest request, int engine) => _inner.OnAbandoned(request, engine);

    /// <summary>Whether the last routed request went to its sticky engine, for tests and traces.</summary>
    public bool LastWasSticky { get; private set; }

    /// <param name="options">The <c>dispatch</c> options naming this policy.</param>
    /// <param name="createInner">Creates the inner policy by name with default parameters.</param>
    public static StickySessionSelector FromOptions(PolicyOptions options, Func<string, IEngineSelector> createInner)
    {
        options.RejectUnknownKeys("inner", "key", "ttl_s", "overload_kv", "overload_factor", "overload_slack_tokens");
        var innerName = options.GetString("inner", LeastLoadSelector.PolicyName);
        if (innerName == PolicyName)
            throw new PolicyConfigurationException($"{options.Section}.inner: '{PolicyName}' cannot wrap itself; name a routing policy such as {LeastLoadSelector.PolicyName}.");
        return new StickySessionSelector(createInner(innerName), new StickyOptions(
            KeyBySession: options.GetChoice("key", "session", "session", "user") == "session",
            TtlSeconds: options.GetDouble("ttl_s", 300, 0.001),
            OverloadKv: options.GetDouble("overload_kv", 0.9, 0, 1),
            OverloadFactor: options.GetDouble("overload_factor", 2, 0),
            OverloadSlackTokens: options.GetDouble("overload_slack_tokens", 3000, 0)));
    }

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now) =>
        StickyEngine(request, engines, now) is var sticky and >= 0 ? sticky : _inner.Select(request, engines, now);

    /// <summary>The inner policy hears of the route only when it made the choice; the key is (re)mapped to the engine either way.</summary>
    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now)
    {
        LastWasSticky = StickyEngine(request, engines, now) >= 0;
        if (!LastWasSticky) _inner.OnRouted(request, engine, engines, now);
        if (Key(request) is { } key) _sessions.Set(key, engine, now);
    }

    private string? Key(in DispatchRequest request) => _options.KeyBySession ? request.Session ?? request.User : request.User;

    /// <summary>The request's unexpired, healthy, not overloaded engine, or -1.</summary>
    private int StickyEngine(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now) =>
        Key(request) is { } key && _sessions.TryGet(key, now, out var sticky) && EngineScan.IsHealthy(engines, sticky) && !IsOverloaded(engines, sticky)
            ? sticky
            : -1;

    private bool IsOverloaded(ReadOnlySpan<EngineView> engines, int sticky)
    {
        if (engines[sticky].KvUsage >= _options.OverloadKv) return true;
        long others = 0;
        var count = 0;
        for (var i = 0; i < engines.Length; i++)
        {
            if (i == sticky || !engines[i].Healthy) continue;
            others += engines[i].PendingPrefillTokens;
            count++;
        }
        return count > 0 && engines[sticky].PendingPrefillTokens > _options.OverloadFactor * others / count + _options.OverloadSlackTokens;
    }
}

/// <summary>Knobs of <see cref="StickySessionSelector"/>; see there for the defaults' reasons.</summary>
public sealed record StickyOptions(
    bool KeyBySession = true,
    double TtlSeconds = 300,
    double OverloadKv = 0.9,
    double OverloadFactor = 2,
    double OverloadSlackTokens = 3000);
