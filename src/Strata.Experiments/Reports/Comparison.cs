using Strata.Experiments.Grids;
using Strata.Experiments.Running;
using Strata.Experiments.Stacks;

namespace Strata.Experiments.Reports;

/// <summary>
/// Every stack against the vLLM baseline: per cell (averaged over seeds), over the headline
/// cells (the mean of the per-cell reductions, as the paper averages its five shapes), and run
/// by run to flag any stack that is worse than the baseline by more than 2%.
/// </summary>
public sealed class Comparison
{
    /// <summary>A run is flagged when a stack is this much worse than the baseline on one of the compared metrics.</summary>
    public const double FlagThreshold = 0.02;

    private readonly Dictionary<(ExperimentCell Cell, string Stack), CellMetrics> _means;

    public Comparison(ExperimentGrid grid, IReadOnlyList<RunOutcome> outcomes)
    {
        Grid = grid;
        Outcomes = outcomes;
        _means = outcomes.GroupBy(o => (o.Run.Cell, o.Run.Stack.Name))
            .ToDictionary(g => g.Key, g => new CellMetrics(
                g.Average(o => o.Summary.Serving.TtftMs.Mean), g.Average(o => o.Summary.Serving.TtftMs.P99),
                g.Average(o => o.Summary.Serving.TpotMs.Mean), g.Average(o => o.Summary.Serving.RequestThroughput), g.Average(o => o.Summary.PrefixCacheHitRate)));
        Flags = FindFlags().ToArray();
    }

    public ExperimentGrid Grid { get; }
    public IReadOnlyList<RunOutcome> Outcomes { get; }
    public IReadOnlyList<RunFlag> Flags { get; }

    public IEnumerable<PolicyStack> Challengers => Grid.Stacks.Where(s => s.Name != PolicyStacks.BaselineName);

    public CellMetrics Metrics(ExperimentCell cell, string stack) => _means[(cell, stack)];

    public Reduction InCell(ExperimentCell cell, string stack) =>
        Reduction.Of(_means[(cell, stack)], _means[(cell, PolicyStacks.BaselineName)]);

    /// <summary>Mean of the per-cell reductions over the given cells (the headline cells when none are given).</summary>
    public Reduction Overall(string stack, IEnumerable<ExperimentCell>? cells = null) =>
        Reduction.Mean((cells ?? Grid.HeadlineCells).Select(c => InCell(c, stack)).ToArray());

    private IEnumerable<RunFlag> FindFlags()
    {
        var baseline = Outcomes.Where(o => o.Run.Stack.Name == PolicyStacks.BaselineName)
            .ToDictionary(o => (o.Run.Cell, o.Run.Seed));
        foreach (var outcome in Outcomes.Where(o => o.Run.Stack.Name != PolicyStacks.BaselineName))
        {
            var reduction = Reduction.Of(Single(outcome), Single(baseline[(outcome.Run.Cell, outcome.Run.Seed)]));
            var worse = Reduction.Columns.Where((_, i) => reduction.Values[i] < -FlagThreshold).ToArray();
            if (worse.Length > 0) yield return new RunFlag(outcome.Run, reduction, worse);
        }
    }

    private static CellMetrics Single(RunOutcome o) =>
        new(o.Summary.Serving.TtftMs.Mean, o.Summary.Serving.TtftMs.P99, o.Summary.Serving.TpotMs.Mean, o.Summary.Serving.RequestThroughput);
}

/// <summary>A run where a stack did worse than the baseline by more than 2% on the named metrics.</summary>
public sealed record RunFlag(ExperimentRun Run, Reduction Reduction, IReadOnlyList<string> WorseOn);
