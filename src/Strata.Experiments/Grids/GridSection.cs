namespace Strata.Experiments.Grids;

/// <summary>One testbed of a grid: its cells, whose changes against the baseline the report averages into one table.</summary>
/// <param name="Title">The heading, e.g. "Headline: the measured testbed".</param>
/// <param name="About">What the testbed is and where its costs come from, one or two sentences.</param>
/// <param name="Cells">The cells averaged over.</param>
public sealed record GridSection(string Title, string About, IReadOnlyList<ExperimentCell> Cells);
