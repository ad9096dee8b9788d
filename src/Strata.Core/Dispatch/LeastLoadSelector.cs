namespace Strata.Core.Dispatch;

/// <summary>
/// <c>least-load</c>: the healthy engine with the fewest pending prefill tokens (waiting, in
/// flight and the rest of running prefills), then the fewest queued and running requests, then
/// the lowest index. Tokens, not requests, because a 10k-token prompt is not a 100-token one.
/// </summary>
public sealed class LeastLoadSelector : IEngineSelector
{
    public const string PolicyName = "least-load";

    public string Name => PolicyName;

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var best = -1;
        for (var i = 0; i < engines.Length; i++)
        {
            if (!engines[i].Healthy) continue;
            if (best < 0 || Load(engines[i]).CompareTo(Load(engines[best])) < 0) best = i;
        }
        return best;
    }

    private static (long Tokens, int Requests) Load(in EngineView e) => (e.PendingPrefillTokens, e.QueuedRequests + e.Running);
}
