namespace Strata.Core.Experts;

/// <summary>
/// An exact solver's answer for one layer: the best row it found, and whether it proved that row optimal
/// (false when its time limit stopped the search first).
/// </summary>
public readonly record struct MinlpSolution(int[] Row, bool ProvedOptimal);
