namespace Strata.Core.Dispatch.PrefixCache;

/// <summary>
/// Receives an engine's KV-cache events (vLLM's <c>BlockStored</c> / <c>BlockRemoved</c> /
/// <c>AllBlocksCleared</c>): the simulator's engines and the gateway's event subscriber call it so
/// that a precise prefix index mirrors what each engine really holds. Hashes must be the same
/// chain as <see cref="DispatchRequest.BlockHashes"/> (<see cref="PrefixBlockHasher"/>).
/// </summary>
public interface IKvEventSink
{
    void OnBlocksStored(int engine, ReadOnlySpan<ulong> blockHashes);

    void OnBlocksRemoved(int engine, ReadOnlySpan<ulong> blockHashes);

    void OnAllBlocksCleared(int engine);
}
