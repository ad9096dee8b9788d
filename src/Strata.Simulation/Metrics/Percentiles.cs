namespace Strata.Simulation.Metrics;

/// <summary>Summary statistics with numpy's defaults (linear percentiles, population std), as <c>vllm bench serve</c> reports them.</summary>
public readonly record struct LatencyStats(double Mean, double Median, double Std, double P90, double P99)
{
    public static LatencyStats Of(IEnumerable<double> values, double scale = 1)
    {
        var sorted = values.Select(v => v * scale).ToArray();
        if (sorted.Length == 0) return default;
        Array.Sort(sorted);
        var mean = sorted.Average();
        var std = Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / sorted.Length);
        return new LatencyStats(mean, Percentile(sorted, 50), std, Percentile(sorted, 90), Percentile(sorted, 99));
    }

    internal static LatencyStats Of(LogHistogram histogram, double scale = 1) => new(
        histogram.Mean * scale, histogram.Percentile(50) * scale, histogram.StandardDeviation * scale,
        histogram.Percentile(90) * scale, histogram.Percentile(99) * scale);

    /// <summary>numpy.percentile's default: linear interpolation between the closest ranks.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var rank = p / 100.0 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }
}
