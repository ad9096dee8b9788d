namespace Strata.Core.Experts;

/// <summary>
/// Decides where each logical expert of each MoE layer lives. Runs off the hot path (every
/// rebalance interval); pure and deterministic: the same inputs give the same placement.
/// </summary>
public interface IExpertPlanner
{
    string Name { get; }

    /// <summary>False for a load-blind planner: a caller need not collect load statistics or re-plan.</summary>
    bool ReadsLoad => true;

    /// <summary>True when the planner uses inter-layer transition counts, which are costly to collect.</summary>
    bool ReadsTransitions => false;

    /// <param name="load">Per-layer expert load of the last window.</param>
    /// <param name="shape">Ranks, nodes, slots and expert groups to place onto.</param>
    /// <param name="current">The placement in use now, for planners that weigh migration; may be null.</param>
    ExpertPlacement Plan(ExpertLoad load, PlacementShape shape, ExpertPlacement? current);
}
