namespace Strata.Core.Experts;

/// <summary>
/// <c>gimbal-minlp</c>: the Gimbal follow-up's joint placement (arXiv 2606.15177, whose abstract names the terms;
/// whose α, β, γ, constraint set and heuristic are not published, so the model below is ours). Per layer it
/// minimises
/// <code>
///   α · max_r L_r / mean_r L_r                                              (C_load, straggler)
/// + β · Σ_slots Σ_{s ≠ rank(slot)} R[s][e(slot)] / c[e(slot)] / Σ_e w[e]      (C_comm, source-aware traffic)
/// + γ · Σ_{r,e} max(0, x[r][e] − x0[r][e]) / slots                           (C_mig, replicas newly loaded)
/// </code>
/// where <c>L_r = Σ_{slots on r} w[e]/c[e]</c>, <c>w</c> is the layer's expert load, <c>c[e]</c> its replica
/// count, <c>R[s][e]</c> the tokens source DP rank <c>s</c> (attention on EP rank <c>s</c>) sent to <c>e</c>,
/// each split evenly over the replicas like the load, and <c>x0</c> the current placement. Subject to: every
/// rank holds exactly <c>SlotsPerRank</c> experts, every expert ≥ 1 replica, replicas of one expert on
/// distinct ranks. Weights and their defaults: <see cref="MinlpObjective"/>. Without per-source load
/// <c>C_comm</c> is 0; without a current placement <c>C_mig</c> is 0.
/// <para>Solved per layer by <see cref="MinlpLocalSearch"/> from the better of EPLB (made distinct) and the
/// current placement. When an exact solver is given and the layer is small — experts × ranks at most
/// <c>exactMaxSize</c> — the solver starts from the local-search row and the better of the two is kept, so
/// the result is never worse than the local search. The size stands for the CP-SAT model, whose variables
/// grow as experts × ranks × replica counts; at the default 32 CP-SAT proved every layer optimal within the
/// default 2 s on the shared 2-core machine, at 64 it mostly ran out of time (docs/experts.md). Within each rank, experts
/// that stay keep their current slot, so a plan that moves nothing returns the current rows unchanged.</para>
/// </summary>
public sealed class GimbalMinlpPlanner(MinlpObjective? objective = null, int seed = 0, IMinlpLayerSolver? exactSolver = null, int exactMaxSize = GimbalMinlpPlanner.DefaultExactMaxSize) : IExpertPlanner
{
    public const string PolicyName = "gimbal-minlp";
    public const int DefaultExactMaxSize = 32;
    public const double DefaultTimeLimitSeconds = 2;

    private readonly EplbPlanner _eplb = new();

    public string Name => PolicyName;

    public MinlpObjective Objective { get; } = objective ?? new MinlpObjective();

    public ExpertPlacement Plan(ExpertLoad load, PlacementShape shape, ExpertPlacement? current) => PlanWithReport(load, shape, current).Placement;

    /// <summary>The placement, and per layer whether it was solved exactly or by local search, with both objectives.</summary>
    public MinlpPlan PlanWithReport(ExpertLoad load, PlacementShape shape, ExpertPlacement? current)
    {
        var eplb = _eplb.Plan(load, shape, null);
        // Built (and validated) before the parallel loop, so bad input fails with its own exception, not an aggregate.
        var starts = Enumerable.Range(0, load.Layers).Select(layer =>
        {
            var problem = MinlpLayer.Create(load, shape.Ranks, shape.SlotsPerRank, current, layer, Objective);
            return (Problem: problem, Search: Start(problem, eplb.PhysicalToLogical(layer).ToArray(), current?.PhysicalToLogical(layer).ToArray()));
        }).ToArray();
        var rows = new int[load.Layers][];
        var reports = new MinlpLayerReport[load.Layers];
        // Layers are independent and each has its own seeded generator, so the parallel loop stays deterministic.
        Parallel.For(0, load.Layers, layer => (rows[layer], reports[layer]) = PlanLayer(starts[layer].Problem, starts[layer].Search, current, layer));
        return new MinlpPlan(new ExpertPlacement(rows, load.LogicalExperts, shape.Ranks), reports);
    }

    private (int[] Row, MinlpLayerReport Report) PlanLayer(MinlpLayer problem, MinlpLocalSearch search, ExpertPlacement? current, int layer)
    {
        search.Run(new Random(unchecked(seed * 1_000_003 + layer)));
        var row = search.PhysicalToLogical;
        var local = problem.Terms(row).Total;
        var report = new MinlpLayerReport(MinlpMethod.LocalSearch, local, local);
        if (exactSolver is not null && problem.Experts * problem.Ranks <= exactMaxSize)
        {
            var exact = exactSolver.Solve(problem, row);
            var value = problem.Terms(exact.Row).Total;
            if (value < local) row = exact.Row;
            report = new MinlpLayerReport(exact.ProvedOptimal ? MinlpMethod.ExactOptimal : MinlpMethod.ExactTimeLimited, local, Math.Min(value, local));
        }
        return (current is null ? row : RankRelabelling.KeepSlots(row, current.PhysicalToLogical(layer), problem.SlotsPerRank), report);
    }

    /// <summary>The search from EPLB's row or the current one, whichever prices lower once made distinct (ties keep the current).</summary>
    private static MinlpLocalSearch Start(MinlpLayer problem, int[] eplbRow, int[]? currentRow)
    {
        var fromEplb = new MinlpLocalSearch(problem, eplbRow);
        if (currentRow is null) return fromEplb;
        var fromCurrent = new MinlpLocalSearch(problem, currentRow);
        return problem.Terms(fromCurrent.PhysicalToLogical).Total <= problem.Terms(fromEplb.PhysicalToLogical).Total ? fromCurrent : fromEplb;
    }
}
