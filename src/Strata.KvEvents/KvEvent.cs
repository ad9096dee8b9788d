namespace Strata.KvEvents;

/// <summary>
/// One of vLLM's KV-cache events (<c>KVCacheEvent</c> in <c>vllm/distributed/kv_events.py</c>): blocks stored,
/// blocks removed, or the whole cache cleared. The wire tag is the concrete type's name.
/// </summary>
public abstract record KvEvent;
