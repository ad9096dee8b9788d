namespace Strata.Core.Dispatch;

/// <summary>
/// An engine-level policy: picks the data-parallel engine for a request from snapshots. Policies read;
/// hooks write (the shape of llm-d's scorers and their PreRequest hook): <see cref="Select"/> changes
/// nothing, so a router may ask as often as it needs (a retry, a request no engine can take yet), and
/// what a decision leaves behind (a round-robin cursor, a stickiness map, an approximate prefix index)
/// is written by <see cref="OnRouted"/> once the route is committed. A policy never reads a clock, a
/// socket or a global: time comes in as <c>now</c>.
/// </summary>
public interface IEngineSelector
{
    string Name { get; }

    /// <summary>
    /// The signals this policy, as configured, cannot work without; a world that does not supply them refuses it at
    /// creation (<see cref="PolicyInputs.Check"/>). Most policies need only what every router has.
    /// </summary>
    SignalFields Requires => SignalFields.None;

    /// <summary>
    /// Returns the index into <paramref name="engines"/> of the chosen engine, or -1 when no engine is
    /// healthy. Side-effect free: the same state and views give the same answer however often it is called.
    /// </summary>
    int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now);

    /// <summary>
    /// The request was committed to <paramref name="engine"/> (the index <see cref="Select"/> returned
    /// for the same request, views and time): advance cursors and record what the route predicts.
    /// </summary>
    void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now);

    /// <summary>
    /// The engine <see cref="OnRouted"/> committed the request to failed it before serving it (the router will retry
    /// elsewhere): forget what the route predicted there, so a retried request is recorded only where it ran. Most
    /// policies record nothing per engine that a later route does not overwrite.
    /// </summary>
    void OnAbandoned(in DispatchRequest request, int engine) { }
}
