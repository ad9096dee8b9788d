using Spectre.Console;
using Strata.Simulation.Metrics;

namespace Strata.Cli.Output;

/// <summary>A run's summary in the layout of <c>vllm bench serve</c>'s console report, plus Strata's fields.</summary>
internal static class SummaryTable
{
    public static void Write(IAnsiConsole console, SimulationSummary s)
    {
        var table = Serving($"{s.Run.Workload} · {s.Run.Queue} + {s.Run.Dispatch} + {s.Run.Experts}", s.Serving);
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), value);
        Row("Preemptions", s.Preemptions.ToString());
        Row("Prefix cache hit rate", s.PrefixCacheHitRate.ToString("P1"));
        Row("KV usage mean / max", $"{s.MeanKvUsage:P1} / {s.MaxKvUsage:P1}");
        Row("Engine load imbalance (max/mean)", s.EngineLoadImbalance.ToString("F3"));
        Row("MoE balancedness (max/mean EP rank)", s.MoeBalancedness.ToString("F3"));
        Row("All-to-all traffic (GB)", s.AllToAllGigabytes.ToString("F1"));
        Row("Expert rebalances / replicas moved / stall (s)", $"{s.ExpertRebalances} / {s.ExpertReplicasMoved} / {s.ExpertMigrationStallSeconds:F3}");
        console.Write(table);
    }

    /// <summary>A table with <c>vllm bench serve</c>'s rows filled in; callers add their own rows after them.</summary>
    public static Table Serving(string title, ServingMetrics s)
    {
        var table = new Table().Border(TableBorder.Simple).Title(Markup.Escape(title));
        AddServingRows(table, s);
        return table;
    }

    private static void AddServingRows(Table table, ServingMetrics s)
    {
        table.AddColumn("metric");
        table.AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), value);
        Row("Successful requests", s.Completed.ToString());
        Row("Failed requests", s.Failed.ToString());
        Row("Benchmark duration (s)", s.Duration.ToString("F2"));
        Row("Total input tokens", s.TotalInputTokens.ToString());
        Row("Total generated tokens", s.TotalOutputTokens.ToString());
        Row("Request throughput (req/s)", s.RequestThroughput.ToString("F2"));
        if (s.RequestGoodput is { } goodput) Row("Request goodput (req/s)", goodput.ToString("F2"));
        Row("Output token throughput (tok/s)", s.OutputThroughput.ToString("F2"));
        Row("Total token throughput (tok/s)", s.TotalTokenThroughput.ToString("F2"));
        Latency(Row, "TTFT", s.TtftMs);
        Latency(Row, "TPOT", s.TpotMs);
        Latency(Row, "ITL", s.ItlMs);
        Latency(Row, "E2EL", s.E2elMs);
    }

    private static void Latency(Action<string, string> row, string name, LatencyStats stats)
    {
        row($"Mean {name} (ms)", stats.Mean.ToString("F2"));
        row($"Median {name} (ms)", stats.Median.ToString("F2"));
        row($"P99 {name} (ms)", stats.P99.ToString("F2"));
    }
}
