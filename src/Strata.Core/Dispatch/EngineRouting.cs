namespace Strata.Core.Dispatch;

/// <summary>Choosing and committing in one call, for a router whose route is final the moment it is chosen.</summary>
public static class EngineRouting
{
    /// <summary><see cref="IEngineSelector.Select"/>, then <see cref="IEngineSelector.OnRouted"/> when an engine was found.</summary>
    public static int Route(this IEngineSelector selector, in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var engine = selector.Select(request, engines, now);
        if (engine >= 0) selector.OnRouted(request, engine, engines, now);
        return engine;
    }
}
