namespace Strata.Core.Queueing;

/// <summary>
/// What a queue policy may know about a waiting request: the facts a gateway or engine has
/// at admission, never the output length (no one knows it before decoding).
/// </summary>
/// <param name="Id">Unique, increasing in arrival order; the final tie-break of every policy.</param>
/// <param name="ArrivalTime">Seconds (virtual or wall) when the request reached the front end.</param>
/// <param name="PromptTokens">Prefill length in tokens.</param>
/// <param name="CachedTokens">Prompt tokens already in the engine's prefix cache when it was queued.</param>
/// <param name="Priority">vLLM convention: lower value is served first.</param>
/// <param name="Tenant">Who sent it, for fairness; null when unknown.</param>
public readonly record struct QueueEntry(
    long Id,
    double ArrivalTime,
    int PromptTokens,
    int CachedTokens = 0,
    int Priority = 0,
    string? Tenant = null)
{
    /// <summary>Prefill tokens left to compute after the prefix-cache hit.</summary>
    public int UncachedTokens => Math.Max(1, PromptTokens - CachedTokens);
}
