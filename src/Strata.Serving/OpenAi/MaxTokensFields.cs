namespace Strata.Serving.OpenAi;

/// <summary>
/// Which body field bounds a request's output tokens, per endpoint, exactly as vLLM reads them
/// (the gateway caps the field the engine will read, and the emulator honours the same one).
/// <list type="bullet">
/// <item><c>/v1/chat/completions</c>: <c>max_completion_tokens</c> unless it is absent or null, then
/// <c>max_tokens</c>; with neither the engine chooses (vllm-project/vllm@006c49d,
/// vllm/entrypoints/openai/chat_completion/serving.py, the <c>get_max_tokens</c> call).</item>
/// <item><c>/v1/completions</c>: <c>max_tokens</c> only, 16 when the field is absent, the engine's
/// choice when it is null; <c>max_completion_tokens</c> is not a field of that endpoint and is
/// ignored (vllm-project/vllm@002032e, vllm/entrypoints/openai/completion/protocol.py,
/// <c>CompletionRequest.max_tokens</c>).</item>
/// </list>
/// </summary>
public static class MaxTokensFields
{
    /// <summary><c>max_tokens</c> of a completions request that leaves the field out.</summary>
    public const int CompletionsDefault = 16;

    /// <summary>The fields the endpoint reads, in order: the first that is present and not null wins.</summary>
    public static IReadOnlyList<string> Read(bool chat) => chat ? ChatFields : CompletionsFields;

    private static readonly string[] ChatFields = ["max_completion_tokens", "max_tokens"];
    private static readonly string[] CompletionsFields = ["max_tokens"];
}
