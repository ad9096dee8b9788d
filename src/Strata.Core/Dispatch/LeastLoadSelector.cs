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

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now) => EngineScan.Best(engines, new LoadOrder());

    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now) { }
}

/// <summary>
/// The load order <c>least-load</c> and <c>power-of-two</c> share: fewer pending prefill tokens first,
/// then fewer queued and running requests.
/// </summary>
internal readonly struct LoadOrder : IEngineOrder
{
    public bool Eligible(ReadOnlySpan<EngineView> engines, int i) => true;

    public double Score(ReadOnlySpan<EngineView> engines, int i) => engines[i].PendingPrefillTokens;

    public int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b) =>
        (engines[a].QueuedRequests + engines[a].Running).CompareTo(engines[b].QueuedRequests + engines[b].Running);

    /// <summary>True when engine <paramref name="a"/> is strictly less loaded than <paramref name="b"/>.</summary>
    public static bool IsLessLoaded(ReadOnlySpan<EngineView> engines, int a, int b)
    {
        var order = new LoadOrder();
        var byScore = order.Score(engines, a).CompareTo(order.Score(engines, b));
        return (byScore != 0 ? byScore : order.BreakTie(engines, a, b)) < 0;
    }
}
