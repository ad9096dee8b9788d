namespace Strata.Engine;

/// <summary>The vLLM scheduler knobs one engine runs with (vLLM's names and meaning).</summary>
/// <param name="MaxNumSeqs">Cap on running requests (<c>max_num_seqs</c>).</param>
/// <param name="MaxNumBatchedTokens">Token budget of one step (<c>max_num_batched_tokens</c>).</param>
/// <param name="BlockSize">Tokens per KV block.</param>
/// <param name="TotalBlocks">KV blocks that fit in the memory left after weights and activations.</param>
/// <param name="EnablePrefixCaching">Keep freed blocks hashable for later prefix hits.</param>
/// <param name="PreemptLowestPriority">vLLM's priority policy: the victim is the running request with the largest (priority, arrival), not the last admitted.</param>
/// <param name="ReserveFullSequence">vLLM's <c>scheduler_reserve_full_isl</c>: admit a waiting request only if its whole sequence fits in KV, not just its first chunk.</param>
/// <param name="AsyncScheduling">vLLM's <c>async_scheduling</c>: each step is decided while the one before it runs (<see cref="EngineCore"/>); false is the synchronous loop.</param>
public readonly record struct EngineSettings(
    int MaxNumSeqs,
    int MaxNumBatchedTokens,
    int BlockSize,
    int TotalBlocks,
    bool EnablePrefixCaching,
    bool PreemptLowestPriority = false,
    bool ReserveFullSequence = true,
    bool AsyncScheduling = false);
