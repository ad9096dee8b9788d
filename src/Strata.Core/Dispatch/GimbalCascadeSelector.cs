namespace Strata.Core.Dispatch;

/// <summary>
/// <c>gimbal</c>: Gimbal P1's Algorithm 1 exactly (research/paper.md §2.1).
/// <code>
/// e* ← default path                                  (line 1; round-robin or vllm-dp, configurable)
/// if metrics available:                              (views younger than max_signal_age_s)
///   if max KV ≥ θkv:                                 (0.9)
///     if max KV − min KV ≥ θdiff: e* ← argmin KV     (0.10)
///     else if max load − min load > θload:           (3000 tokens; note ≥ above, > here)
///       e* ← argmin load
///   else if the request has a user and user_engine_map[user] has not expired: e* ← that engine
/// user_engine_map[user] ← e*                         (line 21: even on the default path)
/// </code>
/// RunningLoad ("running and waiting tokens") is read as pending prefill tokens (waiting, in
/// flight, rest of running prefills) plus tokens held by running requests. The map's TTL
/// (<c>sticky_ttl_s</c>, unspecified in the paper) defaults to 300 s. Ties: lowest index.
/// </summary>
public sealed class GimbalCascadeSelector(
    IEngineSelector defaultPath,
    double thetaKv = 0.9,
    double thetaDiff = 0.10,
    double thetaLoad = 3000,
    double stickyTtlSeconds = 300,
    double maxSignalAgeSeconds = 1.0) : IEngineSelector
{
    public const string PolicyName = "gimbal";

    private readonly Dictionary<string, (int Engine, double Expires)> _userEngine = new(StringComparer.Ordinal);

    public string Name => PolicyName;

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var chosen = defaultPath.Select(request, engines, now);
        if (chosen < 0) return -1;
        if (MetricsAvailable(engines))
        {
            int kvMax = -1, kvMin = -1, loadMin = -1;
            long loadMaxValue = long.MinValue;
            for (var i = 0; i < engines.Length; i++)
            {
                if (!engines[i].Healthy) continue;
                if (kvMax < 0 || engines[i].KvUsage > engines[kvMax].KvUsage) kvMax = i;
                if (kvMin < 0 || engines[i].KvUsage < engines[kvMin].KvUsage) kvMin = i;
                var load = RunningLoad(engines[i]);
                if (loadMin < 0 || load < RunningLoad(engines[loadMin])) loadMin = i;
                loadMaxValue = Math.Max(loadMaxValue, load);
            }
            if (engines[kvMax].KvUsage >= thetaKv)
            {
                // KV usage is a ratio of block counts; compare with a hair of tolerance so 0.90 − 0.80 meets θdiff 0.10.
                if (engines[kvMax].KvUsage - engines[kvMin].KvUsage >= thetaDiff - 1e-12) chosen = kvMin;
                else if (loadMaxValue - RunningLoad(engines[loadMin]) > thetaLoad) chosen = loadMin;
            }
            else if (request.User is { } user && _userEngine.TryGetValue(user, out var sticky) && sticky.Expires > now
                     && sticky.Engine < engines.Length && engines[sticky.Engine].Healthy)
            {
                chosen = sticky.Engine;
            }
        }
        if (request.User is { } who) _userEngine[who] = (chosen, now + stickyTtlSeconds);
        return chosen;
    }

    public static long RunningLoad(in EngineView engine) => engine.PendingPrefillTokens + engine.RunningTokens;

    private bool MetricsAvailable(ReadOnlySpan<EngineView> engines)
    {
        foreach (ref readonly var engine in engines)
            if (engine.Healthy && engine.SignalAge <= maxSignalAgeSeconds) return true;
        return false;
    }
}
