namespace Strata.Simulation.Metrics;

/// <summary>
/// <c>vllm bench serve</c>'s <c>calculate_metrics</c> over per-request records: token totals and
/// throughputs over the run's duration, goodput under the SLOs, and TTFT/TPOT/E2EL over the
/// completed requests. ITL comes in separately, as its samples are per token (or per chunk), not per request.
/// </summary>
public sealed record ServingMetrics
{
    public int Completed { get; init; }
    public int Failed { get; init; }
    public double Duration { get; init; }
    public long TotalInputTokens { get; init; }
    public long TotalOutputTokens { get; init; }
    public double RequestThroughput { get; init; }
    public double? RequestGoodput { get; init; }
    public double OutputThroughput { get; init; }
    public double TotalTokenThroughput { get; init; }
    public LatencyStats TtftMs { get; init; }
    public LatencyStats TpotMs { get; init; }
    public LatencyStats ItlMs { get; init; }
    public LatencyStats E2elMs { get; init; }

    public static ServingMetrics Of(IReadOnlyList<RequestRecord> records, double duration, LatencyStats itlMs, ServiceLevelObjectives slo)
    {
        var done = records.Where(r => !r.Failed).ToArray();
        var input = done.Sum(r => (long)r.PromptTokens);
        var output = done.Sum(r => (long)r.OutputTokens);
        double Rate(double count) => duration > 0 ? count / duration : 0;
        return new ServingMetrics
        {
            Completed = done.Length,
            Failed = records.Count - done.Length,
            Duration = duration,
            TotalInputTokens = input,
            TotalOutputTokens = output,
            RequestThroughput = Rate(done.Length),
            RequestGoodput = slo.IsEmpty ? null : Rate(done.Count(r => slo.Met(r))),
            OutputThroughput = Rate(output),
            TotalTokenThroughput = Rate(input + output),
            TtftMs = LatencyStats.Of(done.Select(r => r.Ttft), 1000),
            TpotMs = LatencyStats.Of(done.Select(r => r.Tpot), 1000),
            ItlMs = itlMs,
            E2elMs = LatencyStats.Of(done.Select(r => r.E2el), 1000),
        };
    }
}
