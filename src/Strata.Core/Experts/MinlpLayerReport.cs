namespace Strata.Core.Experts;

/// <summary>How <c>gimbal-minlp</c> settled one layer.</summary>
public enum MinlpMethod
{
    /// <summary>Local search only: the layer is above the exact-size limit, or no exact solver was given.</summary>
    LocalSearch,

    /// <summary>The exact solver proved its row optimal.</summary>
    ExactOptimal,

    /// <summary>The exact solver ran out of time; the better of its best row and the local search's was kept.</summary>
    ExactTimeLimited,
}

/// <summary>
/// One layer of a <c>gimbal-minlp</c> plan: how it was solved, the local search's objective and the objective of
/// the row returned (never above the local search's).
/// </summary>
public readonly record struct MinlpLayerReport(MinlpMethod Method, double LocalSearch, double Objective)
{
    /// <summary>How far above the returned row the local search alone landed (0 when it was not beaten); against a proven optimum this is the local search's optimality gap.</summary>
    public double Gap => Objective > 0 ? LocalSearch / Objective - 1 : 0;
}
