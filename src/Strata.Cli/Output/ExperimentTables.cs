using Spectre.Console;
using Strata.Experiments.Grids;
using Strata.Experiments.Reports;

namespace Strata.Cli.Output;

/// <summary>The experiment's comparison in the terminal: the measured testbed's overall changes, then Gimbal P1's testbed overall and per shape, then P2's.</summary>
internal static class ExperimentTables
{
    public static void Write(IAnsiConsole console, Comparison comparison)
    {
        var measured = comparison.Grid.MeasuredCells;
        if (measured.Count > 0)
            Render(console, ReductionTables.Overall(comparison,
                $"Measured testbed: change vs vLLM baseline, mean over the five shapes at {ExperimentReport.FollowUpRates(measured)} req/s on {measured[0].Cluster}", measured));
        var headline = comparison.Grid.HeadlineCells;
        var where = $"{string.Join("/", headline.Select(c => c.Label))} at {headline[0].Rate} req/s on {headline[0].Cluster}";
        Render(console, ReductionTables.Overall(comparison, $"Gimbal P1's testbed: change vs vLLM baseline (fcfs + vllm-dp + contiguous), mean over {where}"));
        Render(console, ReductionTables.PerCell(comparison, 0, headline, "mean TTFT change per shape"));
        Render(console, ReductionTables.PerCell(comparison, 2, headline, "mean TPOT change per shape"));
        var followUp = comparison.Grid.FollowUpCells;
        if (followUp.Count > 0)
            Render(console, ReductionTables.Overall(comparison,
                $"Gimbal P2's testbed: change vs vLLM baseline, mean over the five shapes at {ExperimentReport.FollowUpRates(followUp)} req/s on {followUp[0].Cluster}", followUp));
    }

    /// <summary>What the grid leaves out and why, so a shorter run is never mistaken for the whole grid.</summary>
    public static void WriteLeftOut(IAnsiConsole console, ExperimentGrid grid)
    {
        foreach (var item in grid.LeftOut) console.MarkupLine($"[yellow]left out:[/] {Markup.Escape(item)}");
    }

    private static void Render(IAnsiConsole console, TextTable source)
    {
        var table = new Table().Border(TableBorder.Simple).Title(Markup.Escape(source.Title));
        foreach (var (header, i) in source.Headers.Select((h, i) => (h, i)))
            table.AddColumn(i == 0 ? new TableColumn(Markup.Escape(header)) : new TableColumn(Markup.Escape(header)).RightAligned());
        foreach (var row in source.Rows)
            table.AddRow(row.Select(cell => cell.EndsWith(ReductionTables.Best, StringComparison.Ordinal) ? $"[bold green]{Markup.Escape(cell)}[/]" : Markup.Escape(cell)).ToArray());
        console.Write(table);
    }
}
