namespace Strata.Simulation.Events;

/// <summary>
/// The order of events that fall at the same virtual time, lowest first; events of one kind at one time
/// keep the order they were scheduled in. Explicit, so a result never hangs on which handler happened to
/// schedule first.
/// </summary>
internal enum EventPriority
{
    /// <summary>A request that arrives at t joins the step that starts at t: vLLM's engine core takes new requests from its input queue before each schedule().</summary>
    Arrival,

    /// <summary>Then steps end, and the next step starts with everything that arrived by now.</summary>
    StepCompleted,

    /// <summary>A stats snapshot taken at t shows everything that happened at t.</summary>
    StatsPublished,

    /// <summary>Popularity drifts last; the tables it re-tabulates serve the steps after t.</summary>
    Drift,
}
