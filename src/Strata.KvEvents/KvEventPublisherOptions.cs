namespace Strata.KvEvents;

/// <summary>
/// A publisher's settings, named and defaulted as vLLM's <c>KVEventsConfig</c> (<c>vllm/config/kv_events.py</c>):
/// endpoints are the DP-rank-0 ones and are offset by <see cref="DataParallelRank"/> (<see cref="KvEventEndpoint"/>).
/// </summary>
public sealed record KvEventPublisherOptions
{
    /// <summary>The PUB endpoint; <c>tcp://*:5557</c> binds, <c>tcp://host:5557</c> connects.</summary>
    public string Endpoint { get; init; } = "tcp://*:5557";

    /// <summary>The ROUTER endpoint that serves replays; none means no replay.</summary>
    public string? ReplayEndpoint { get; init; }

    public int DataParallelRank { get; init; }

    /// <summary>Batches kept for replay (vLLM's <c>buffer_steps</c>).</summary>
    public int BufferSteps { get; init; } = 10_000;

    /// <summary>The PUB socket's send high-water mark (vLLM's <c>hwm</c>): past it, slow subscribers miss batches.</summary>
    public int HighWaterMark { get; init; } = 100_000;

    /// <summary>The topic frame of every message; subscribers filter on it by prefix.</summary>
    public string Topic { get; init; } = "";

    public KvEventEncoding Encoding { get; init; } = KvEventEncoding.TaggedArrays;
}
