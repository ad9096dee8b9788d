namespace Strata.Core.Dispatch;

/// <summary>
/// An engine-level policy: picks the data-parallel engine for a request from snapshots.
/// It may keep its own state (a round-robin cursor, a stickiness map) but never reads a clock,
/// a socket or a global: time comes in as <c>now</c>.
/// </summary>
public interface IEngineSelector
{
    string Name { get; }

    /// <summary>
    /// Returns the index into <paramref name="engines"/> of the chosen engine, or -1 when no
    /// engine is healthy.
    /// </summary>
    int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now);
}
