using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>
/// <c>least-load</c>: the engine with the fewest pending prefill tokens
/// (<see cref="EngineView.PendingPrefillTokens"/>: waiting, in flight from this router, and the
/// rest of running prefills) — the work that stands between a new request and its first token.
/// Ties go to fewer queued + running requests, then to the lower index.
/// </summary>
public sealed class LeastLoadSelector : IEngineSelector
{
    public const string PolicyName = "least-load";

    public string Name => PolicyName;

    public static LeastLoadSelector FromOptions(PolicyOptions options)
    {
        options.RejectUnknownKeys();
        return new LeastLoadSelector();
    }

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var best = -1;
        for (var i = 0; i < engines.Length; i++)
            if (engines[i].Healthy && (best < 0 || IsLessLoaded(engines[i], engines[best]))) best = i;
        return best;
    }

    /// <summary>The load order <c>least-load</c> and <c>power-of-two</c> share.</summary>
    internal static bool IsLessLoaded(in EngineView a, in EngineView b)
    {
        if (a.PendingPrefillTokens != b.PendingPrefillTokens) return a.PendingPrefillTokens < b.PendingPrefillTokens;
        return a.QueuedRequests + a.Running < b.QueuedRequests + b.Running;
    }
}
