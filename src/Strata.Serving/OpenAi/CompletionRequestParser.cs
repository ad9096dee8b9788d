using System.Runtime.InteropServices;
using System.Text.Json;

namespace Strata.Serving.OpenAi;

/// <summary>
/// Reads the scheduling facts (<see cref="CompletionRequest"/>) out of a request body. Every
/// rejection is an <see cref="OpenAiError"/> naming the field in <c>param</c>, as OpenAI does;
/// fields the gateway does not need are left for the engine to judge.
/// </summary>
public static class CompletionRequestParser
{
    /// <param name="buffers">Where the prompt text is built; it must outlive the returned request.</param>
    public static CompletionRequest Parse(ReadOnlyMemory<byte> body, bool chat, RequestBuffers buffers)
    {
        JsonDocument document;
        try
        {
            // Duplicate keys are refused: the engine's JSON reader keeps the last, so a second max_tokens would slip past the cap.
            document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw OpenAiError.InvalidRequest($"The body is not valid JSON: {e.Message}", null);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw OpenAiError.InvalidRequest("The body must be a JSON object.", null);
            var model = String(root, "model") ?? throw OpenAiError.InvalidRequest("'model' is required.", "model");
            var (maxTokens, maxTokensField, maxTokensSet) = MaxTokens(root, chat);
            var prompt = new PromptBytes(body.Length + (chat ? MarkupBytes(root) : 0), buffers);
            int[]? tokenIds = null;
            if (chat) ReadMessages(root, prompt);
            else tokenIds = ReadPrompt(root, prompt);
            return new CompletionRequest(model, Bool(root, "stream") ?? false, maxTokens, maxTokensField, maxTokensSet, String(root, "user"), Int(root, "priority"), prompt.Utf8, tokenIds,
                chat ? TemplateBytes(root) : 0);
        }
    }

    /// <summary>The output-token limit as the engine will read it (<see cref="MaxTokensFields"/>).</summary>
    private static (int? Value, string Field, bool Set) MaxTokens(JsonElement root, bool chat)
    {
        var fields = MaxTokensFields.Read(chat);
        foreach (var field in fields)
            if (PositiveInt(root, field) is { } value) return (value, field, true);
        if (!chat && !root.TryGetProperty("max_tokens", out _)) return (MaxTokensFields.CompletionsDefault, "max_tokens", false);
        return (null, fields[0], false);
    }

    /// <summary>
    /// The size of what else vLLM hands the chat template with the messages — <c>tools</c> and
    /// <c>documents</c> (vllm-project/vllm@0052bed, vllm/entrypoints/openai/protocol.py,
    /// ChatCompletionRequest) — which the template renders into the prompt, so a short message with
    /// large tool schemas is not a short prompt.
    /// </summary>
    private static int TemplateBytes(JsonElement root)
    {
        var bytes = 0;
        foreach (var field in (ReadOnlySpan<string>)["tools", "documents"])
            if (root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
                bytes += JsonMarshal.GetRawUtf8Value(value).Length;
        return bytes;
    }

    private static void ReadMessages(JsonElement root, PromptBytes prompt)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw OpenAiError.InvalidRequest("'messages' must be a non-empty array of {role, content}.", "messages");
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var where = $"messages[{i++}]";
            if (message.ValueKind != JsonValueKind.Object) throw OpenAiError.InvalidRequest($"'{where}' must be an object with role and content.", where);
            prompt.Append(ChatMarkup.MessageStart);
            prompt.Append(String(message, "role", where + ".role") ?? throw OpenAiError.InvalidRequest($"'{where}.role' is required.", where + ".role"));
            prompt.Append(ChatMarkup.RoleEnd);
            if (message.TryGetProperty("content", out var content)) AppendContent(prompt, content, where);
            prompt.Append(ChatMarkup.MessageEnd);
        }
        prompt.Append(ChatMarkup.GenerationPrompt);
    }

    /// <summary>Room for the chat markup beyond the body's own length (<see cref="ChatMarkup.MaxBytesOverBodyPerMessage"/>).</summary>
    private static int MarkupBytes(JsonElement root) =>
        (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array ? messages.GetArrayLength() : 0)
        * ChatMarkup.MaxBytesOverBodyPerMessage + ChatMarkup.GenerationPrompt.Length;

    private static void AppendContent(PromptBytes prompt, JsonElement content, string where)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                prompt.Append(content, where + ".content");
                break;
            case JsonValueKind.Array:
                // Content parts: only text parts carry prompt text; images and audio are the engine's business.
                var p = 0;
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                        prompt.Append(text, $"{where}.content[{p}].text");
                    p++;
                }
                break;
            case JsonValueKind.Null:
                break;
            default:
                throw OpenAiError.InvalidRequest($"'{where}.content' must be a string or an array of content parts.", where + ".content");
        }
    }

    /// <summary>A completions <c>prompt</c>: a string, strings, token ids, or lists of token ids.</summary>
    private static int[]? ReadPrompt(JsonElement root, PromptBytes prompt)
    {
        if (!root.TryGetProperty("prompt", out var value)) throw OpenAiError.InvalidRequest("'prompt' is required.", "prompt");
        if (value.ValueKind == JsonValueKind.String)
        {
            prompt.Append(value, "prompt");
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
            throw OpenAiError.InvalidRequest("'prompt' must be a string, an array of strings or an array of token ids.", "prompt");
        var tokens = new List<int>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var where = $"prompt[{i++}]";
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    prompt.Append(item, where);
                    break;
                case JsonValueKind.Number when item.TryGetInt32(out var token):
                    tokens.Add(token);
                    break;
                case JsonValueKind.Array:
                    foreach (var inner in item.EnumerateArray())
                        tokens.Add(inner.ValueKind == JsonValueKind.Number && inner.TryGetInt32(out var id) ? id
                            : throw OpenAiError.InvalidRequest("'prompt' token lists must hold integers.", "prompt"));
                    break;
                default:
                    throw OpenAiError.InvalidRequest("'prompt' must be a string, an array of strings or an array of token ids.", "prompt");
            }
        }
        return tokens.Count > 0 ? [.. tokens] : null;
    }

    private static string? String(JsonElement root, string name, string? param = null)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? Text(value, param ?? name) : throw WrongType(param ?? name, "a string");
    }

    /// <summary>A JSON string as text: invalid UTF-8 or an unpaired surrogate escape (<c>\ud800</c>) in it is the client's error, naming the field.</summary>
    private static string Text(JsonElement value, string param)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw PromptBytes.NotUnicode(param);
        }
    }

    private static bool? Bool(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name, "true or false"),
        };
    }

    private static int? Int(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw WrongType(name, "an integer");
    }

    private static int? PositiveInt(JsonElement root, string name)
    {
        var value = Int(root, name);
        return value is null or >= 1 ? value : throw OpenAiError.InvalidRequest($"'{name}' must be at least 1; got {value}.", name);
    }

    private static OpenAiError WrongType(string name, string expected) =>
        OpenAiError.InvalidRequest($"'{name}' must be {expected}.", name);
}
