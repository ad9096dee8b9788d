using System.Globalization;
using Strata.Experiments.Stacks;
using Strata.Experts.Solver;
using Strata.Simulation.Runs;

namespace Strata.Experiments.Grids;

/// <summary>One simulation of the grid: a cell, a stack and a seed.</summary>
public sealed record ExperimentRun(ExperimentCell Cell, PolicyStack Stack, int Seed, int Requests)
{
    /// <summary>A file-name-safe id, unique within a grid.</summary>
    public string Id => string.Join('_', Cell.Cluster, Cell.Label, Cell.Rate.ToString("0.0##", CultureInfo.InvariantCulture), Stack.Name, $"s{Seed}");

    public RunSpec Spec => new()
    {
        Cluster = Cell.Cluster,
        Workload = Cell.Workload,
        Rate = Cell.Rate,
        Requests = Requests,
        Seed = Seed,
        Queue = Stack.Queue,
        Dispatch = Stack.Dispatch,
        Experts = Stack.Experts,
        GatewayMaxInFlight = Stack.Gateway,
        Planners = ExactExpertPlanners.Catalog,
    };
}
