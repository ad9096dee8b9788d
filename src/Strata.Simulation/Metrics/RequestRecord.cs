namespace Strata.Simulation.Metrics;

/// <summary>
/// One finished (or failed) request's timings, in seconds from the start of the run. <see cref="Queued"/> is when the
/// engine core took it into its scheduler (vLLM's <c>queued_ts</c>): its arrival, or with async scheduling the end of
/// the step under way when it arrived; the same as <see cref="Arrival"/> where no engine is modelled.
/// </summary>
public readonly record struct RequestRecord(
    long Id,
    int Engine,
    double Arrival,
    double Queued,
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

    /// <summary>TTFT as vLLM's engine stats count it (and recorded runs hold it): from the engine core's intake.</summary>
    public double EngineTtft => FirstToken - Queued;

    /// <summary>End-to-end latency from the engine core's intake.</summary>
    public double EngineE2el => Finish - Queued;

    /// <summary>vLLM's <c>request_queue_time</c>: from the engine core's intake to first being scheduled.</summary>
    public double EngineQueueTime => FirstScheduled - Queued;

    /// <summary><c>vllm bench serve</c>'s TPOT: decode time per token after the first; 0 for one-token outputs.</summary>
    public double Tpot => OutputTokens > 1 ? (Finish - FirstToken) / (OutputTokens - 1) : 0;
}
