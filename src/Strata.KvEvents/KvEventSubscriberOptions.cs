namespace Strata.KvEvents;

/// <summary>
/// Where one engine's DP rank publishes and how patient to be. Endpoints are the rank-0 ones of the engine's
/// <c>--kv-events-config</c> with a reachable host (<c>tcp://10.0.0.5:5557</c>, not <c>tcp://*:5557</c>);
/// they are offset by <see cref="DataParallelRank"/> as vLLM offsets its publisher (<see cref="KvEventEndpoint"/>).
/// </summary>
public sealed record KvEventSubscriberOptions
{
    public required string Endpoint { get; init; }

    /// <summary>The engine's replay ROUTER; without it lost batches cannot be recovered and silence is not probed.</summary>
    public string? ReplayEndpoint { get; init; }

    public int DataParallelRank { get; init; }

    /// <summary>The topic prefix to subscribe to (vLLM's <c>topic</c>; empty takes every message).</summary>
    public string Topic { get; init; } = "";

    /// <summary>How long to wait for each frame of a replay before giving up on it.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Silence after which the replay socket is probed: an idle engine publishes nothing, so only an unanswered
    /// probe tells a dead publisher from an idle one.
    /// </summary>
    public TimeSpan LivenessInterval { get; init; } = TimeSpan.FromSeconds(5);
}
