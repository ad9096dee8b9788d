using System.Globalization;
using Strata.Experiments.Grids;

namespace Strata.Experiments.Reports;

/// <summary>
/// The comparison as tables of changes against the baseline, signed as the papers print them
/// (latency −17.8% is better, throughput +3.0% is better); the best value of each column is
/// marked with ★.
/// </summary>
public static class ReductionTables
{
    public const string Best = " ★";

    /// <summary>Each stack's change over the headline cells, one column per compared metric.</summary>
    public static TextTable Overall(Comparison comparison, string title, IReadOnlyList<ExperimentCell>? cells = null)
    {
        var stacks = comparison.Challengers.ToArray();
        var values = stacks.Select(s => comparison.Overall(s.Name, cells).Values).ToArray();
        var rows = stacks.Select((s, i) => (IReadOnlyList<string>)[s.Name, .. Marked(values, i, Reduction.Columns.Length)]).ToArray();
        return new TextTable(title, ["stack", .. Reduction.Columns], rows);
    }

    /// <summary>One metric's change per cell (columns) and stack (rows), with the mean over the cells last.</summary>
    public static TextTable PerCell(Comparison comparison, int metric, IReadOnlyList<ExperimentCell> cells, string title,
        Func<ExperimentCell, string>? header = null)
    {
        var stacks = comparison.Challengers.ToArray();
        var values = stacks.Select(s => cells.Select(c => comparison.InCell(c, s.Name).Values[metric])
            .Append(comparison.Overall(s.Name, cells).Values[metric]).ToArray()).ToArray();
        var rows = stacks.Select((s, i) => (IReadOnlyList<string>)[s.Name, .. Marked(values, i, cells.Count + 1, metric)]).ToArray();
        return new TextTable(title, ["stack", .. cells.Select(header ?? (c => c.Label)), "mean"], rows);
    }

    /// <summary>
    /// Every stack on one workload: its four changes averaged over the workload's cells (e.g. its
    /// rates), then its prefix-cache hit rate against the baseline's; the baseline is the first row.
    /// </summary>
    public static TextTable PerWorkload(Comparison comparison, IReadOnlyList<ExperimentCell> cells, string title)
    {
        var stacks = comparison.Challengers.ToArray();
        var values = stacks.Select(s => comparison.Overall(s.Name, cells).Values).ToArray();
        double HitRate(string stack) => cells.Average(c => comparison.Metrics(c, stack).PrefixHitRate);
        var baseline = Stacks.PolicyStacks.BaselineName;
        var rows = stacks.Select((s, i) => (IReadOnlyList<string>)[s.Name, .. Marked(values, i, Reduction.Columns.Length), Percent(HitRate(s.Name))])
            .Prepend([baseline, "—", "—", "—", "—", Percent(HitRate(baseline))]).ToArray();
        return new TextTable(title, ["stack", .. Reduction.Columns, "prefix hit rate"], rows);
    }

    /// <summary>Row <paramref name="row"/>'s cells formatted, with ★ where it is the best of its column.</summary>
    private static IEnumerable<string> Marked(double[][] values, int row, int columns, int? metric = null)
    {
        for (var c = 0; c < columns; c++)
        {
            var best = values.Max(v => v[c]);
            var text = Format(values[row][c], metric ?? c);
            yield return values[row][c] == best ? text + Best : text;
        }
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>A positive-is-better fraction as the signed change the papers print.</summary>
    public static string Format(double reduction, int metric)
    {
        var change = metric == 3 ? reduction : -reduction;
        return (change * 100).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture) + "%";
    }
}
