using System.Text;

namespace Strata.Serving.OpenAi;

/// <summary>
/// Chat messages as the engine's prompt text: ChatML, the template Qwen2 and Qwen3 apply (their
/// <c>tokenizer_config.json</c> <c>chat_template</c>, without tools or thinking blocks). Each message is
/// <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>, and the prompt ends with the generation prompt
/// <c>&lt;|im_start|&gt;assistant\n</c>. The gateway (block keys, token counts) and the emulated engine render alike.
/// </summary>
public static class ChatMarkup
{
    public const string GenerationPrompt = "<|im_start|>assistant\n";

    public static StringBuilder StartMessage(StringBuilder prompt, string role) => prompt.Append("<|im_start|>").Append(role).Append('\n');

    public static StringBuilder EndMessage(StringBuilder prompt) => prompt.Append("<|im_end|>\n");
}
