using Spectre.Console;
using Strata.Experiments.Grids;
using Strata.Experiments.Reports;

namespace Strata.Cli.Output;

/// <summary>The experiment's comparison in the terminal: each testbed's overall changes, the measured testbed first, then the headline cells per shape.</summary>
internal static class ExperimentTables
{
    public static void Write(IAnsiConsole console, Comparison comparison)
    {
        foreach (var section in comparison.Grid.Sections)
            Render(console, ReductionTables.Overall(comparison,
                $"{section.Title}: change vs vLLM baseline, mean over {string.Join("/", section.Cells.Select(c => c.Label).Distinct())} at {ExperimentReport.Rates(section.Cells)} req/s on {section.Cells[0].Cluster}",
                section.Cells));
        var headline = comparison.Grid.HeadlineCells;
        Render(console, ReductionTables.PerCell(comparison, 0, headline, $"mean TTFT change per shape at {headline[0].Rate} req/s on {headline[0].Cluster}"));
        Render(console, ReductionTables.PerCell(comparison, 2, headline, $"mean TPOT change per shape at {headline[0].Rate} req/s on {headline[0].Cluster}"));
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
