namespace Strata.Simulation.Metrics;

/// <summary>
/// The metrics <c>vllm bench serve</c> reports (research/sim.md §3), whether a simulation or a
/// real load run (<c>strata bench</c>) produced them, so one writer and one table print both.
/// </summary>
public interface IServingMetrics
{
    int Completed { get; }
    int Failed { get; }
    double Duration { get; }
    long TotalInputTokens { get; }
    long TotalOutputTokens { get; }
    double RequestThroughput { get; }
    double? RequestGoodput { get; }
    double OutputThroughput { get; }
    double TotalTokenThroughput { get; }
    LatencyStats TtftMs { get; }
    LatencyStats TpotMs { get; }
    LatencyStats ItlMs { get; }
    LatencyStats E2elMs { get; }
}
