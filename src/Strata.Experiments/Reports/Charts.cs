using ScottPlot;
using Strata.Experiments.Grids;
using Strata.Experiments.Running;
using Strata.Experiments.Stacks;

namespace Strata.Experiments.Reports;

/// <summary>The report's charts, drawn headless with ScottPlot and returned as SVG markup.</summary>
public static class Charts
{
    private const int Width = 640;
    private const int Height = 400;

    /// <summary>Mean TTFT or TPOT of each stack against request rate, for one cluster and workload.</summary>
    public static string LatencyVsRate(Comparison comparison, IReadOnlyList<ExperimentCell> cells, IEnumerable<PolicyStack> stacks, bool ttft)
    {
        var plot = new Plot();
        var rates = cells.Select(c => c.Rate).ToArray();
        foreach (var stack in stacks)
        {
            // Log scale: latency grows by orders of magnitude past saturation, and the gaps below it matter.
            var values = cells.Select(c => comparison.Metrics(c, stack.Name)).Select(m => Math.Log10(ttft ? m.MeanTtftMs : m.MeanTpotMs)).ToArray();
            var line = plot.Add.Scatter(rates, values);
            line.LegendText = stack.Name;
            line.LineWidth = stack.Name == PolicyStacks.BaselineName ? 3 : 1.5f;
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
        };
        var cell = cells[0];
        return Finish(plot, $"{(ttft ? "Mean TTFT" : "Mean TPOT")} — {cell.Label} on {cell.Cluster}", "request rate (req/s)",
            ttft ? "mean TTFT (ms, log scale)" : "mean TPOT (ms, log scale)", Alignment.UpperLeft);
    }

    /// <summary>Mean TTFT and TPOT reduction against the baseline over the headline cells, one pair of bars per stack.</summary>
    public static string ReductionBars(Comparison comparison, IReadOnlyList<PolicyStack> stacks, string title, IReadOnlyList<ExperimentCell>? cells = null)
    {
        var plot = new Plot();
        var ttftColor = Colors.SteelBlue;
        var tpotColor = Colors.DarkOrange;
        var bars = new List<Bar>();
        for (var i = 0; i < stacks.Count; i++)
        {
            var overall = comparison.Overall(stacks[i].Name, cells);
            bars.Add(new Bar { Position = 3 * i, Value = overall.MeanTtft * 100, FillColor = ttftColor });
            bars.Add(new Bar { Position = 3 * i + 1, Value = overall.MeanTpot * 100, FillColor = tpotColor });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(stacks.Select((_, i) => 3.0 * i + 0.5).ToArray(), stacks.Select(s => s.Name).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 130; // room for the rotated stack names
        plot.Add.HorizontalLine(0, 1, Colors.Black);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "mean TTFT reduction", FillColor = ttftColor });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "mean TPOT reduction", FillColor = tpotColor });
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title(title);
        plot.YLabel("reduction vs vLLM (%)");
        return plot.GetSvgXml(Width, Height + 120);
    }

    /// <summary>Empirical CDF of TTFT, one line per run (one stack each), for one cell and seed.</summary>
    public static string TtftCdf(IReadOnlyList<RunOutcome> runs)
    {
        var plot = new Plot();
        foreach (var run in runs)
        {
            var ttft = run.SortedTtftMs;
            var fraction = ttft.Select((_, i) => (i + 1.0) / ttft.Length).ToArray();
            var line = plot.Add.ScatterLine(ttft, fraction);
            line.LegendText = run.Run.Stack.Name;
            line.LineWidth = run.Run.Stack.Name == PolicyStacks.BaselineName ? 3 : 1.5f;
        }
        var cell = runs[0].Run.Cell;
        return Finish(plot, $"TTFT CDF — {cell.Label} at {cell.Rate} req/s on {cell.Cluster}, seed {runs[0].Run.Seed}",
            "TTFT (ms)", "fraction of requests", Alignment.LowerRight);
    }

    /// <summary>Expert balancedness (busiest EP rank over the mean rank) through each run.</summary>
    public static string Balancedness(IReadOnlyList<RunOutcome> runs)
    {
        var plot = new Plot();
        foreach (var run in runs)
        {
            var timeline = run.Summary.MoeBalancednessTimeline;
            if (timeline.Count == 0) continue;
            var line = plot.Add.ScatterLine(timeline.Select(p => p.Time).ToArray(), timeline.Select(p => p.Ratio).ToArray());
            line.LegendText = $"{run.Run.Stack.Name} ({run.Run.Stack.Experts.Name})";
        }
        var cell = runs[0].Run.Cell;
        return Finish(plot, $"Expert balancedness — {cell.Label} at {cell.Rate} req/s on {cell.Cluster}",
            "time (s)", "max / mean EP-rank load", Alignment.UpperRight);
    }

    private static string Finish(Plot plot, string title, string xLabel, string yLabel, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        return plot.GetSvgXml(Width, Height);
    }
}
