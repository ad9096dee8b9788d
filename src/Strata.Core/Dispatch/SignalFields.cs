namespace Strata.Core.Dispatch;

/// <summary>
/// The engine signals a world can supply to its policies. A signal source (the simulator's engine stats, a vLLM or
/// SGLang <c>/metrics</c> scrape, a KV-event subscription) declares the ones it supplies; a policy declares the ones
/// it cannot work without (<see cref="IEngineSelector.Requires"/>, <see cref="Queueing.IQueuePolicy.Requires"/>), and
/// <see cref="PolicyInputs.Check"/> refuses the pair at creation when a required one is missing, so no option is
/// accepted and then silently does nothing. Fields a router counts itself (in flight, pending prompt tokens) need no source.
/// </summary>
[Flags]
public enum SignalFields
{
    None = 0,

    /// <summary>Requests waiting and running at the engine (<c>vllm:num_requests_waiting</c> / <c>running</c>).</summary>
    QueueDepth = 1 << 0,

    /// <summary>KV-cache use and capacity (<c>vllm:kv_cache_usage_perc</c>, <c>num_gpu_blocks</c> × block size).</summary>
    KvUsage = 1 << 1,

    /// <summary>Exact prompt tokens waiting and left to prefill at the engine; a router without it estimates from its own requests.</summary>
    PrefillTokens = 1 << 2,

    /// <summary>How hot the EP ranks an engine's recent tokens hit are (<see cref="EngineView.ExpertPressure"/>).</summary>
    ExpertPressure = 1 << 3,

    /// <summary>The engines' KV-cache events (<c>BlockStored</c> / <c>BlockRemoved</c>), which feed a precise prefix index.</summary>
    KvEvents = 1 << 4,

    /// <summary>Each request's prefix-cache hit before it is ordered (<see cref="Queueing.QueueEntry.CachedTokens"/>), known only inside the engine.</summary>
    CachedTokens = 1 << 5,
}
