namespace Strata.Core.Dispatch;

/// <summary>What an engine-level policy knows about the request it places.</summary>
/// <param name="Id">Unique request id.</param>
/// <param name="PromptTokens">Prompt length in tokens (or an estimate from bytes).</param>
/// <param name="User">User identity for stickiness (the OpenAI <c>user</c> field), if any.</param>
/// <param name="Session">Session or conversation id, if any.</param>
/// <param name="Priority">vLLM convention: lower is more urgent.</param>
/// <param name="Tenant">The tenant the API key maps to, if any.</param>
/// <param name="BlockHashes">Chained hashes of the prompt's full KV blocks, for prefix affinity; empty when unknown.</param>
public readonly record struct DispatchRequest(
    long Id,
    int PromptTokens,
    string? User = null,
    string? Session = null,
    int Priority = 0,
    string? Tenant = null,
    ReadOnlyMemory<ulong> BlockHashes = default);
