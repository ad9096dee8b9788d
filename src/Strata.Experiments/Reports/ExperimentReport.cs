using System.Globalization;
using Strata.Experiments.Grids;
using Strata.Experiments.Running;
using Strata.Experiments.Stacks;

namespace Strata.Experiments.Reports;

/// <summary>
/// Writes the report folder: <c>report.md</c>, a self-contained <c>report.html</c>, the charts
/// as SVG files, and every run's summary JSON with the cluster file that reruns it.
/// </summary>
public static class ExperimentReport
{
    public const string MarkdownFile = "report.md";
    public const string HtmlFile = "report.html";

    /// <summary>Stacks drawn in the line charts: more would be unreadable; the tables have them all.</summary>
    private static readonly string[] ChartStacks = [PolicyStacks.BaselineName, "vllm-eplb", "gimbal", "gimbal-p2", "llmd", "strata"];

    public static void Write(Comparison comparison, string outputDirectory, string commandLine)
    {
        Directory.CreateDirectory(Path.Combine(outputDirectory, "charts"));
        foreach (var outcome in comparison.Outcomes) RunFiles.Write(outputDirectory, outcome);
        var document = Build(comparison, commandLine);
        foreach (var chart in document.Blocks.OfType<ReportBlock.Chart>())
            File.WriteAllText(Path.Combine(outputDirectory, "charts", chart.FileName), chart.Svg);
        File.WriteAllText(Path.Combine(outputDirectory, MarkdownFile), ReportRenderers.Markdown(document));
        File.WriteAllText(Path.Combine(outputDirectory, HtmlFile), ReportRenderers.Html(document, $"Strata experiment — {comparison.Grid.Name} grid"));
    }

    public static ReportDocument Build(Comparison comparison, string commandLine)
    {
        var grid = comparison.Grid;
        var doc = new ReportDocument()
            .Heading($"Strata experiment — {grid.Name} grid", 1)
            .Paragraph($"{comparison.Outcomes.Count} simulations: {grid.Cells.Count} cells × {grid.Stacks.Count} stacks × " +
                       $"{grid.Seeds.Count} seed(s), {grid.Requests} requests each. Produced by:")
            .Code(commandLine);
        foreach (var note in grid.Notes) doc.Paragraph($"Note: {note}.");
        foreach (var item in grid.LeftOut) doc.Paragraph($"Left out: {item}.");

        foreach (var (section, i) in grid.Sections.Select((section, i) => (section, i))) AddSection(doc, comparison, section, i);

        doc.Heading("Per shape")
            .Paragraph($"Each stack's change at the headline cells, {grid.HeadlineCells[0].Rate} req/s on {grid.HeadlineCells[0].Cluster}, per shape (each the mean over seeds).");
        for (var metric = 0; metric < Reduction.Columns.Length; metric++)
            doc.Table(ReductionTables.PerCell(comparison, metric, grid.HeadlineCells, $"{Reduction.Columns[metric]} change at {grid.HeadlineCells[0].Rate} req/s"));

        AddAblations(doc, comparison);
        AddWorkloads(doc, comparison);
        AddOtherCells(doc, comparison);
        AddRateCharts(doc, comparison);
        AddRunCharts(doc, comparison);
        AddBaselineRegime(doc, comparison);
        AddFlags(doc, comparison);
        AddStacks(doc, grid);

        doc.Heading("Rerun any number")
            .Paragraph($"Every run's summary is in `{RunFiles.Folder}/ID.json` next to the cluster file `{RunFiles.Folder}/ID.yaml` that produced it; " +
                       "from this folder, the command in the YAML's first line reproduces the JSON byte for byte, e.g.:")
            .Code(RunFiles.RerunCommand(comparison.Outcomes[0]));
        return doc;
    }

    /// <summary>One testbed's changes against the baseline, averaged over its cells, as a table and a bar chart.</summary>
    private static void AddSection(ReportDocument doc, Comparison comparison, GridSection section, int index)
    {
        var cells = section.Cells;
        doc.Heading(section.Title)
            .Paragraph($"{section.About} Change of each stack against `{PolicyStacks.Baseline.Layers}` on {cells[0].Cluster}, " +
                       $"{string.Join(", ", cells.Select(c => c.Label).Distinct())} at {Rates(cells)} req/s, averaged over the {cells.Count} cells " +
                       "(each the mean over seeds). Latency: negative is better; throughput: positive is better. ★ marks the best of each column.")
            .Table(ReductionTables.Overall(comparison, "change vs vLLM baseline", cells))
            .Chart($"reductions-{index + 1}-{cells[0].Cluster}.svg", $"Mean TTFT and TPOT reduction per stack, {section.Title}",
                Charts.ReductionBars(comparison, comparison.Challengers.ToArray(), $"Reduction vs vLLM on {cells[0].Cluster}", cells));
    }

    public static string Rates(IReadOnlyList<ExperimentCell> cells) =>
        string.Join(" / ", cells.Select(c => c.Rate).Distinct().Select(r => r.ToString(CultureInfo.InvariantCulture)));

    private static void AddAblations(ReportDocument doc, Comparison comparison)
    {
        var ablations = new[] { "gimbal-dplb", "gimbal-sjfs", "gimbal-edr", "gimbal", "gimbal-p2-nofeedback", "gimbal-p2", "strata-experts", "strata" }
            .Where(name => comparison.Grid.Stacks.Any(s => s.Name == name)).Select(PolicyStacks.Find).ToArray();
        if (ablations.Length == 0) return;
        doc.Heading("Ablations")
            .Paragraph("Gimbal P1 with one layer at a time (DPLB = dispatch only, SJFS = queue only, EDR = experts only) and in full; Gimbal P2 with and without the expert-pressure feedback; Strata's placement alone and Strata in full.")
            .Chart("ablations.svg", "Ablations: mean TTFT and TPOT reduction at the headline cells", Charts.ReductionBars(comparison, ablations, "Ablations vs vLLM"));
    }

    private static void AddWorkloads(ReportDocument doc, Comparison comparison)
    {
        doc.Heading("Per workload")
            .Paragraph("Each stack's changes averaged over the workload's request rates (absolute baseline numbers are further down), and its prefix-cache hit rate.");
        foreach (var workload in comparison.Grid.Cells.GroupBy(c => (c.Cluster, c.Label)))
            doc.Table(ReductionTables.PerWorkload(comparison, workload.ToArray(),
                $"{workload.Key.Label} on {workload.Key.Cluster} at {string.Join(" / ", workload.Select(c => c.Rate.ToString(CultureInfo.InvariantCulture)))} req/s"));
    }

    private static void AddOtherCells(ReportDocument doc, Comparison comparison)
    {
        var others = comparison.Grid.Cells.Except(comparison.Grid.HeadlineCells).ToArray();
        if (others.Length == 0) return;
        doc.Heading("Every other cell")
            .Paragraph("Rows are stacks, columns are cells (workload@rate on the cluster); the last column is the mean over these cells.");
        foreach (var cluster in others.Select(c => c.Cluster).Distinct())
        {
            var cells = others.Where(c => c.Cluster == cluster).ToArray();
            doc.Table(ReductionTables.PerCell(comparison, 0, cells, $"mean TTFT change on {cluster}", RateLabel))
               .Table(ReductionTables.PerCell(comparison, 2, cells, $"mean TPOT change on {cluster}", RateLabel));
        }
    }

    private static string RateLabel(ExperimentCell cell) => $"{cell.Label}@{cell.Rate.ToString(CultureInfo.InvariantCulture)}";

    private static void AddRateCharts(ReportDocument doc, Comparison comparison)
    {
        var stacks = comparison.Grid.Stacks.Where(s => ChartStacks.Contains(s.Name)).ToArray();
        var series = comparison.Grid.Cells.GroupBy(c => (c.Cluster, c.Workload)).Where(g => g.Count() > 1).ToArray();
        if (series.Length == 0 || stacks.Length < 2) return;
        doc.Heading("Latency against request rate");
        foreach (var group in series)
        {
            var cells = group.OrderBy(c => c.Rate).ToArray();
            var name = $"{group.Key.Cluster}-{cells[0].Label}";
            doc.Chart($"ttft-vs-rate-{name}.svg", $"Mean TTFT vs rate, {cells[0].Label} on {group.Key.Cluster}", Charts.LatencyVsRate(comparison, cells, stacks, ttft: true))
               .Chart($"tpot-vs-rate-{name}.svg", $"Mean TPOT vs rate, {cells[0].Label} on {group.Key.Cluster}", Charts.LatencyVsRate(comparison, cells, stacks, ttft: false));
        }
    }

    private static void AddRunCharts(ReportDocument doc, Comparison comparison)
    {
        var cell = comparison.Grid.HeadlineCells[0];
        var seed = comparison.Grid.Seeds[0];
        var runs = comparison.Outcomes.Where(o => o.Run.Cell == cell && o.Run.Seed == seed).ToArray();
        var chosen = runs.Where(o => ChartStacks.Contains(o.Run.Stack.Name)).ToArray();
        var shown = chosen.Length >= 2 ? chosen : runs.Take(ChartStacks.Length).ToArray();
        doc.Heading("Inside one run")
            .Chart("ttft-cdf.svg", $"TTFT CDF, {cell.Label} at {cell.Rate} req/s", Charts.TtftCdf(shown));
        var planners = runs.GroupBy(o => o.Run.Stack.Experts.Name).Select(g => g.First()).ToArray();
        doc.Chart("expert-balancedness.svg", "Expert balancedness over time, one run per planner", Charts.Balancedness(planners));
    }

    private static void AddBaselineRegime(ReportDocument doc, Comparison comparison)
    {
        var rows = comparison.Grid.Cells.Select(c => (c, m: comparison.Metrics(c, PolicyStacks.BaselineName))).Select(p => (IReadOnlyList<string>)
        [
            $"{RateLabel(p.c)} {p.c.Cluster}",
            p.m.MeanTtftMs.ToString("F0", CultureInfo.InvariantCulture), p.m.P99TtftMs.ToString("F0", CultureInfo.InvariantCulture),
            p.m.MeanTpotMs.ToString("F1", CultureInfo.InvariantCulture), p.m.Throughput.ToString("F3", CultureInfo.InvariantCulture),
        ]).ToArray();
        doc.Heading("The baseline's absolute numbers")
            .Table(new TextTable("vLLM baseline, mean over seeds", ["cell", "mean TTFT ms", "p99 TTFT ms", "mean TPOT ms", "req/s"], rows));
    }

    private static void AddFlags(ReportDocument doc, Comparison comparison)
    {
        doc.Heading("Runs worse than the baseline");
        var flags = comparison.Flags;
        if (flags.Count == 0)
        {
            doc.Paragraph($"No stack was worse than the baseline by more than {Comparison.FlagThreshold * 100:0}% on any run.");
            return;
        }
        doc.Paragraph($"{flags.Count} runs where a stack did worse than the baseline (same cell, same seed) by more than {Comparison.FlagThreshold * 100:0}% on a compared metric, by stack:")
           .Table(new TextTable("flagged runs per stack", ["stack", "flagged runs", "of runs", "mean TTFT", "p99 TTFT", "mean TPOT", "throughput"],
               comparison.Challengers.Select(s => (IReadOnlyList<string>)
               [
                   s.Name, flags.Count(f => f.Run.Stack == s).ToString(CultureInfo.InvariantCulture),
                   comparison.Outcomes.Count(o => o.Run.Stack == s).ToString(CultureInfo.InvariantCulture),
                   .. Reduction.Columns.Select(c => flags.Count(f => f.Run.Stack == s && f.WorseOn.Contains(c)).ToString(CultureInfo.InvariantCulture)),
               ]).ToArray()))
           .Table(new TextTable("every flagged run", ["run", "worse on", "mean TTFT", "p99 TTFT", "mean TPOT", "throughput"],
               flags.Select(f => (IReadOnlyList<string>)
               [
                   f.Run.Id, string.Join(", ", f.WorseOn), .. f.Reduction.Values.Select((v, i) => ReductionTables.Format(v, i)),
               ]).ToArray()));
    }

    private static void AddStacks(ReportDocument doc, ExperimentGrid grid) =>
        doc.Heading("The stacks")
           .Table(new TextTable("", ["stack", "queue + dispatch + experts", "what it is"],
               grid.Stacks.Select(s => (IReadOnlyList<string>)[s.Name, s.Layers, s.Description]).ToArray()));
}
