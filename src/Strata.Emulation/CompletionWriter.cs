using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Strata.Emulation;

/// <summary>
/// Writes one request's answer in vLLM's OpenAI-compatible shapes: SSE chunks
/// (<c>chat.completion.chunk</c> / <c>text_completion</c>, the last token carrying
/// <c>finish_reason</c>, an optional usage chunk with empty <c>choices</c>, then <c>data: [DONE]</c>),
/// or one JSON body with usage. Headers go out with the first chunk, as vLLM's stream starts
/// only when the first token is there.
/// </summary>
internal sealed class CompletionWriter(HttpResponse response, CompletionApi endpoint, string model)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly string _id = (endpoint == CompletionApi.Chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly ArrayBufferWriter<byte> _buffer = new();

    private string ObjectName(bool stream) => endpoint == CompletionApi.Chat
        ? stream ? "chat.completion.chunk" : "chat.completion"
        : "text_completion";

    /// <summary>Starts the event stream; a chat stream opens with the assistant role and empty content.</summary>
    public async Task StartStream(CancellationToken cancel)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        if (endpoint == CompletionApi.Chat) await Event(json => Choice(json, "", finishReason: null, role: true), cancel);
    }

    public Task Token(string text, string? finishReason, CancellationToken cancel) =>
        Event(json => Choice(json, text, finishReason, role: false), cancel);

    public async Task EndStream(int promptTokens, int? completionTokens, CancellationToken cancel)
    {
        if (completionTokens is { } completion)
            await Event(json =>
            {
                json.WriteStartArray("choices");
                json.WriteEndArray();
                Usage(json, promptTokens, completion);
            }, cancel);
        await response.Body.WriteAsync(Done, cancel);
        await response.Body.FlushAsync(cancel);
    }

    /// <summary>The non-streaming answer: the whole text, <c>finish_reason</c> and usage.</summary>
    public async Task Full(string text, int promptTokens, int completionTokens, CancellationToken cancel)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        _buffer.Clear();
        using (var json = new Utf8JsonWriter(_buffer))
        {
            Header(json, stream: false);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            if (endpoint == CompletionApi.Chat)
            {
                json.WriteStartObject("message");
                json.WriteString("role", "assistant");
                json.WriteString("content", text);
                json.WriteStartArray("tool_calls");
                json.WriteEndArray();
                json.WriteEndObject();
            }
            else json.WriteString("text", text);
            json.WriteNull("logprobs");
            json.WriteString("finish_reason", "length");
            json.WriteNull("stop_reason");
            json.WriteEndObject();
            json.WriteEndArray();
            Usage(json, promptTokens, completionTokens);
            json.WriteEndObject();
        }
        await response.Body.WriteAsync(_buffer.WrittenMemory, cancel);
    }

    /// <summary>vLLM's error body: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
    public static async Task Error(HttpResponse response, int status, string type, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", type);
            json.WriteNull("param");
            json.WriteNumber("code", status);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await response.Body.WriteAsync(buffer.WrittenMemory);
    }

    private async Task Event(Action<Utf8JsonWriter> body, CancellationToken cancel)
    {
        _buffer.Clear();
        _buffer.Write(DataPrefix);
        using (var json = new Utf8JsonWriter(_buffer))
        {
            Header(json, stream: true);
            body(json);
            json.WriteEndObject();
        }
        _buffer.Write(EventEnd);
        await response.Body.WriteAsync(_buffer.WrittenMemory, cancel);
        await response.Body.FlushAsync(cancel);
    }

    private void Header(Utf8JsonWriter json, bool stream)
    {
        json.WriteStartObject();
        json.WriteString("id", _id);
        json.WriteString("object", ObjectName(stream));
        json.WriteNumber("created", _created);
        json.WriteString("model", model);
    }

    private void Choice(Utf8JsonWriter json, string text, string? finishReason, bool role)
    {
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        if (endpoint == CompletionApi.Chat)
        {
            json.WriteStartObject("delta");
            if (role) json.WriteString("role", "assistant");
            json.WriteString("content", text);
            json.WriteEndObject();
        }
        else json.WriteString("text", text);
        json.WriteNull("logprobs");
        if (finishReason is null) json.WriteNull("finish_reason");
        else json.WriteString("finish_reason", finishReason);
        if (endpoint == CompletionApi.Completions || finishReason is not null) json.WriteNull("stop_reason");
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void Usage(Utf8JsonWriter json, int promptTokens, int completionTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", promptTokens);
        json.WriteNumber("total_tokens", promptTokens + completionTokens);
        json.WriteNumber("completion_tokens", completionTokens);
        json.WriteEndObject();
    }
}
