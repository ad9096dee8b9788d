namespace Strata.Serving.OpenAi;

/// <summary>
/// Chat messages as the engine's prompt text: ChatML, the template Qwen2 and Qwen3 apply (their
/// <c>tokenizer_config.json</c> <c>chat_template</c>, without tools or thinking blocks). Each message is
/// <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>, and the prompt ends with the generation prompt
/// <c>&lt;|im_start|&gt;assistant\n</c>. The gateway (block keys, token counts) and the emulated engine render alike.
/// </summary>
public static class ChatMarkup
{
    public const string MessageStart = "<|im_start|>";

    /// <summary>Between the role and the content.</summary>
    public const string RoleEnd = "\n";

    public const string MessageEnd = "<|im_end|>\n";

    public const string GenerationPrompt = "<|im_start|>assistant\n";

    /// <summary>
    /// The most the markup adds to the text a message has in its JSON body (a message without content:
    /// <c>{"role":""}</c> is 11 bytes, its markup 24), so a buffer as long as the body plus this per message,
    /// plus the generation prompt, always holds the rendered prompt.
    /// </summary>
    public const int MaxBytesOverBodyPerMessage = 13;
}
