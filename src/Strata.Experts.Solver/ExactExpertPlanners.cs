using Strata.Core.Experts;
using Strata.Core.Policies;

namespace Strata.Experts.Solver;

/// <summary>Planners that need a solver Strata.Core cannot reference.</summary>
public static class ExactExpertPlanners
{
    /// <summary>
    /// Every expert planner, as <see cref="ExpertPlanners.Catalog"/>, except that <c>gimbal-minlp</c> solves layers
    /// with experts × ranks at most <c>exact_max_size</c> by CP-SAT within <c>time_limit_s</c> per layer. This is
    /// the catalog <c>strata plan-experts</c>, <c>strata simulate</c> and cluster YAML files use.
    /// </summary>
    public static PolicyCatalog<IExpertPlanner> Catalog { get; } =
        ExpertPlanners.Create((timeLimit, seed) => new CpSatMinlpSolver(timeLimit, seed));

    /// <summary>Strata.Core's queue and dispatch policies with these planners: what the CLI and the experiments inject.</summary>
    public static PolicyCatalogs Catalogs { get; } = PolicyCatalogs.Standard with { Planners = Catalog };
}
