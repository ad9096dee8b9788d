using Spectre.Console;
using Strata.Core.Experts;

namespace Strata.Cli.Output;

/// <summary>
/// How <c>gimbal-minlp</c> settled each layer: exactly (proven optimal, or stopped by the time limit) or by local
/// search, with both objectives and the local search's gap, so a user sees what the exact solver bought.
/// </summary>
internal static class MinlpLayerTable
{
    public static void Write(IAnsiConsole console, IReadOnlyList<MinlpLayerReport> layers)
    {
        var table = new Table().Border(TableBorder.Simple).Title("gimbal-minlp per layer (objective α·load + β·traffic + γ·migration)");
        table.AddColumn(new TableColumn("layer").RightAligned());
        foreach (var column in new[] { "solved by", "local search", "objective", "local-search gap" })
            table.AddColumn(new TableColumn(column).RightAligned());
        for (var layer = 0; layer < layers.Count; layer++)
        {
            var r = layers[layer];
            var gap = r.Method == MinlpMethod.LocalSearch ? "n/a" : r.Gap.ToString("P2");
            table.AddRow(layer.ToString(), Describe(r.Method), r.LocalSearch.ToString("F6"), r.Objective.ToString("F6"), gap);
        }
        console.Write(table);
        // Only against a proven optimum is the gap the local search's optimality gap; against a time-limited row it is a lower bound.
        string Count(MinlpMethod method, string what, string gap)
        {
            var matching = layers.Where(r => r.Method == method).ToArray();
            return matching.Length == 0 ? $"0 {what}" : $"{matching.Length} {what} ({string.Format(gap, matching.Max(r => r.Gap).ToString("P2"))})";
        }
        var optimal = Count(MinlpMethod.ExactOptimal, "proven optimal", "worst local-search gap {0}");
        var limited = Count(MinlpMethod.ExactTimeLimited, "stopped by the time limit", "local search up to {0} above the best found");
        var local = layers.Count(r => r.Method == MinlpMethod.LocalSearch);
        console.MarkupLineInterpolated($"[grey]{optimal}, {limited}, {local} by local search only (experts × GPUs above exact_max_size)[/]");
    }

    private static string Describe(MinlpMethod method) => method switch
    {
        MinlpMethod.ExactOptimal => "exact, proven optimal",
        MinlpMethod.ExactTimeLimited => "exact, time-limited",
        _ => "local search",
    };
}
