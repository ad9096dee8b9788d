namespace Strata.Core.Dispatch;

/// <summary>
/// What an engine-level policy knows about one data-parallel engine: a snapshot as the engine
/// last published it (vLLM's DP coordinator, a Prometheus scrape) plus the router's own count
/// of requests it sent since. Snapshots can be stale; <see cref="SignalAge"/> says how stale.
/// </summary>
/// <param name="Index">The engine's position in the pool.</param>
/// <param name="Waiting">Requests in the engine's waiting queue at the snapshot.</param>
/// <param name="Running">Requests in the engine's running batch at the snapshot.</param>
/// <param name="KvUsage">Used KV blocks / total blocks, 0..1 (<c>vllm:kv_cache_usage_perc</c>).</param>
/// <param name="WaitingPrefillTokens">Prompt tokens of the waiting requests.</param>
/// <param name="RunningPrefillTokens">Prefill tokens running requests still have to compute.</param>
/// <param name="RunningTokens">Tokens (prompt + generated so far) held by running requests.</param>
/// <param name="InFlight">Requests the router dispatched that the snapshot does not show yet.</param>
/// <param name="InFlightPrefillTokens">Prompt tokens of those in-flight requests.</param>
/// <param name="ExpertPressure">How hot the EP ranks this engine's recent tokens hit are; 0 when unknown.</param>
/// <param name="KvCapacityTokens">Total KV capacity of the engine in tokens; 0 when unknown.</param>
/// <param name="Healthy">False when health checks or failures took the engine out of the pool.</param>
/// <param name="SignalAge">Seconds since the snapshot was taken.</param>
public readonly record struct EngineView(
    int Index,
    int Waiting,
    int Running,
    double KvUsage,
    long WaitingPrefillTokens,
    long RunningPrefillTokens,
    long RunningTokens,
    int InFlight = 0,
    long InFlightPrefillTokens = 0,
    double ExpertPressure = 0,
    long KvCapacityTokens = 0,
    bool Healthy = true,
    double SignalAge = 0)
{
    /// <summary>Waiting requests as the router sees them: the snapshot plus its own in-flight.</summary>
    public int QueuedRequests => Waiting + InFlight;

    /// <summary>Prefill tokens not yet computed: waiting, in flight, and the rest of running prefills.</summary>
    public long PendingPrefillTokens => WaitingPrefillTokens + InFlightPrefillTokens + RunningPrefillTokens;
}
