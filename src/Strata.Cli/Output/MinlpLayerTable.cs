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
        var exact = layers.Where(r => r.Method != MinlpMethod.LocalSearch).ToArray();
        var worst = exact.Length > 0 ? $"; worst local-search gap {exact.Max(r => r.Gap):P2}" : "";
        console.MarkupLineInterpolated($"[grey]{layers.Count(r => r.Method == MinlpMethod.ExactOptimal)} layer(s) proven optimal, {layers.Count(r => r.Method == MinlpMethod.ExactTimeLimited)} stopped by the time limit, {layers.Count(r => r.Method == MinlpMethod.LocalSearch)} by local search only (experts × GPUs above exact_max_size){worst}[/]");
    }

    private static string Describe(MinlpMethod method) => method switch
    {
        MinlpMethod.ExactOptimal => "exact, proven optimal",
        MinlpMethod.ExactTimeLimited => "exact, time-limited",
        _ => "local search",
    };
}
