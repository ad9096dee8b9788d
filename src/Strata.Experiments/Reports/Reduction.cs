namespace Strata.Experiments.Reports;

/// <summary>
/// A stack against the baseline, as fractions: positive is better. Latency reductions are
/// 1 − stack/baseline; the throughput change is stack/baseline − 1.
/// </summary>
public readonly record struct Reduction(double MeanTtft, double P99Ttft, double MeanTpot, double Throughput)
{
    public static Reduction Of(CellMetrics stack, CellMetrics baseline) => new(
        1 - stack.MeanTtftMs / baseline.MeanTtftMs,
        1 - stack.P99TtftMs / baseline.P99TtftMs,
        1 - stack.MeanTpotMs / baseline.MeanTpotMs,
        stack.Throughput / baseline.Throughput - 1);

    public static Reduction Mean(IReadOnlyCollection<Reduction> all) => new(
        all.Average(r => r.MeanTtft), all.Average(r => r.P99Ttft), all.Average(r => r.MeanTpot), all.Average(r => r.Throughput));

    /// <summary>The column values in table order.</summary>
    public double[] Values => [MeanTtft, P99Ttft, MeanTpot, Throughput];

    public static readonly string[] Columns = ["mean TTFT", "p99 TTFT", "mean TPOT", "throughput"];
}

/// <summary>The four compared metrics of one stack in one cell, averaged over seeds (or of one run), and its prefix-cache hit rate.</summary>
public readonly record struct CellMetrics(double MeanTtftMs, double P99TtftMs, double MeanTpotMs, double Throughput, double PrefixHitRate = 0);
