namespace Strata.Core.Dispatch;

/// <summary><c>round-robin</c>: the next healthy engine after the last one routed to.</summary>
public sealed class RoundRobinSelector : IEngineSelector
{
    public const string PolicyName = "round-robin";

    private int _next;

    public string Name => PolicyName;

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        for (var tried = 0; tried < engines.Length; tried++)
        {
            var i = (_next + tried) % engines.Length;
            if (engines[i].Healthy) return i;
        }
        return -1;
    }

    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now) =>
        _next = (engine + 1) % engines.Length;
}
