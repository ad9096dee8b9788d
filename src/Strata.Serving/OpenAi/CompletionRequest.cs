namespace Strata.Serving.OpenAi;

/// <summary>
/// What scheduling needs from an OpenAI chat or text completion request — nothing else is read,
/// and the body is forwarded as it came (but for a <c>max_tokens</c> cap, Gateway.Admission.MaxTokensCap).
/// </summary>
/// <param name="MaxTokens">The output-token limit the engine will apply to the body as it stands (<see cref="MaxTokensFields"/>): the field the client set, else the completions default of 16; null when the engine would choose.</param>
/// <param name="MaxTokensField">The field <see cref="MaxTokens"/> came from, or the one the engine reads first when none is set: where a cap is written.</param>
/// <param name="MaxTokensSet">The client set <see cref="MaxTokens"/> itself.</param>
/// <param name="Priority">Body <c>priority</c> (vLLM's extension; lower is served first); the <c>x-priority</c> header overrides it.</param>
/// <param name="PromptUtf8">The prompt as the engine tokenizes it, in UTF-8: <c>prompt</c>, or the messages in ChatML (<see cref="ChatMarkup"/>).</param>
/// <param name="PromptTokenIds">The prompt's token ids: a <c>prompt</c> given as ids, or the model's tokenizer applied to <see cref="PromptUtf8"/>; counted and hashed as the engine's tokens. Null when neither is at hand (the gateway then estimates UTF-8 bytes ÷ 4).</param>
/// <param name="TemplateBytes">UTF-8 bytes of the other fields a chat template renders into the prompt (<c>tools</c>, <c>documents</c>), counted in its size.</param>
public sealed record CompletionRequest(
    string Model,
    bool Stream,
    int? MaxTokens,
    string MaxTokensField,
    bool MaxTokensSet,
    string? User,
    int? Priority,
    ReadOnlyMemory<byte> PromptUtf8,
    int[]? PromptTokenIds,
    int TemplateBytes);
