using Strata.Core.Experts;
using Strata.Core.Policies;

namespace Strata.Experts.Solver;

/// <summary>Planners that need a solver Strata.Core cannot reference.</summary>
public static class ExactExpertPlanners
{
    /// <summary>
    /// <c>gimbal-minlp</c> with the same options as <see cref="ExpertPlanners.Catalog"/>'s, but layers of at most
    /// <c>exact_max_experts</c> experts are solved by CP-SAT within <c>time_limit_s</c> per layer.
    /// </summary>
    public static GimbalMinlpPlanner GimbalMinlp(PolicyOptions options) =>
        ExpertPlanners.GimbalMinlp(options, (timeLimit, seed) => new CpSatMinlpSolver(timeLimit, seed));
}
