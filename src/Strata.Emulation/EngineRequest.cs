using System.Text;
using System.Text.Json;
using Strata.Serving.OpenAi;

namespace Strata.Emulation;

/// <summary>
/// The part of an OpenAI completion or chat-completion body an emulated engine acts on, validated as vLLM's
/// server validates it (the gateway forwards bodies and reads less: Strata.Serving.OpenAi.CompletionRequest). The
/// prompt text is what the engine "tokenizes": for chat, the messages rendered with Qwen's ChatML
/// template (the presets' model), so equal conversation prefixes are equal text prefixes.
/// </summary>
internal sealed record EngineRequest(string Model, string PromptText, int? MaxTokens, bool Stream, bool IncludeUsage, int Priority)
{
    /// <summary>Reads the body of <paramref name="endpoint"/>; a message for a 400 when it cannot be used.</summary>
    public static EngineRequest Parse(JsonElement body, CompletionApi endpoint)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new BadRequestException("The request body must be a JSON object.");
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : null;
        var prompt = endpoint == CompletionApi.Chat ? ChatPrompt(body) : CompletionPrompt(body);
        var chat = endpoint == CompletionApi.Chat;
        int? maxTokens = chat || body.TryGetProperty("max_tokens", out _) ? null : MaxTokensFields.CompletionsDefault;
        foreach (var name in MaxTokensFields.Read(chat))
        {
            if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) continue;
            if (!value.TryGetInt32(out var tokens) || tokens < 1) throw new BadRequestException($"{name} must be a positive integer, got {value.GetRawText()}.");
            maxTokens = tokens;
            break;
        }
        var stream = body.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = body.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object &&
            options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;
        var priority = body.TryGetProperty("priority", out var p) && p.TryGetInt32(out var value2) ? value2 : 0;
        return new EngineRequest(model ?? "", prompt, maxTokens, stream, includeUsage, priority);
    }

    private static string CompletionPrompt(JsonElement body)
    {
        if (!body.TryGetProperty("prompt", out var prompt)) throw new BadRequestException("prompt is required.");
        if (prompt.ValueKind == JsonValueKind.String) return prompt.GetString()!;
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String)
            return prompt[0].GetString()!;
        throw new BadRequestException("prompt must be a string (or a list of one string); token-id prompts and batches are not emulated.");
    }

    private static string ChatPrompt(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw new BadRequestException("messages must be a non-empty array.");
        var text = new StringBuilder();
        foreach (var message in messages.EnumerateArray())
        {
            var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            if (role is null) throw new BadRequestException("every message needs a role.");
            text.Append(ChatMarkup.MessageStart).Append(role).Append(ChatMarkup.RoleEnd);
            if (message.TryGetProperty("content", out var content)) AppendContent(text, content);
            text.Append(ChatMarkup.MessageEnd);
        }
        return text.Append(ChatMarkup.GenerationPrompt).ToString();
    }

    private static void AppendContent(StringBuilder text, JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String) text.Append(content.GetString());
        else if (content.ValueKind == JsonValueKind.Array)
            foreach (var part in content.EnumerateArray())
                if (part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String) text.Append(partText.GetString());
    }
}

/// <summary>The two OpenAI generation endpoints vLLM serves.</summary>
internal enum CompletionApi
{
    Completions,
    Chat,
}

/// <summary>A request the engine answers 400, with vLLM's message.</summary>
internal sealed class BadRequestException(string message) : Exception(message);
