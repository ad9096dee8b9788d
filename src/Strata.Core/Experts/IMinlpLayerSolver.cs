namespace Strata.Core.Experts;

/// <summary>
/// An exact solver for one layer of <c>gimbal-minlp</c> (a MIP/CP model lives outside Strata.Core, which
/// depends on the BCL only; Strata.Experts.Solver has the CP-SAT one).
/// </summary>
public interface IMinlpLayerSolver
{
    /// <summary>
    /// The best placement row found for <paramref name="layer"/>, with exactly <c>SlotsPerRank</c> experts
    /// per rank, every expert at least once and no expert twice on a rank; <paramref name="hint"/> is a
    /// feasible row to start from.
    /// </summary>
    MinlpSolution Solve(MinlpLayer layer, int[] hint);
}
