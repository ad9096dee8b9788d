namespace Strata.Simulation.Metrics;

/// <summary>One finished (or failed) request's timings, in seconds from the start of the run.</summary>
public readonly record struct RequestRecord(
    long Id,
    int Engine,
    double Arrival,
    int PromptTokens,
    int OutputTokens,
    int CachedPromptTokens,
    double FirstScheduled,
    double FirstToken,
    double Finish,
    int Preemptions,
    string? User,
    string? Session,
    string? Domain,
    bool Failed)
{
    public double Ttft => FirstToken - Arrival;
    public double E2el => Finish - Arrival;
    public double QueueTime => FirstScheduled - Arrival;

    /// <summary><c>vllm bench serve</c>'s TPOT: decode time per token after the first; 0 for one-token outputs.</summary>
    public double Tpot => OutputTokens > 1 ? (Finish - FirstToken) / (OutputTokens - 1) : 0;
}
