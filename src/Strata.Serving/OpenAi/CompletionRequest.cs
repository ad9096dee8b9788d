namespace Strata.Serving.OpenAi;

/// <summary>
/// What scheduling needs from an OpenAI chat or text completion request — nothing else is read,
/// and the body is forwarded as it came.
/// </summary>
/// <param name="MaxTokens"><c>max_completion_tokens</c>, else <c>max_tokens</c>; null when the client set neither.</param>
/// <param name="MaxTokensField">Which of the two fields <see cref="MaxTokens"/> came from, for error messages.</param>
/// <param name="Priority">Body <c>priority</c> (vLLM's extension; lower is served first); the <c>x-priority</c> header overrides it.</param>
/// <param name="PromptText">The prompt as text for block hashing: <c>prompt</c>, or each message's role then content.</param>
/// <param name="PromptTokenIds">A <c>prompt</c> given as token ids; hashed as real tokens.</param>
public sealed record CompletionRequest(
    string Model,
    bool Stream,
    int? MaxTokens,
    string MaxTokensField,
    string? User,
    int? Priority,
    string PromptText,
    int[]? PromptTokenIds);
