using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Strata.Serving.OpenAi;

/// <summary>
/// An error as the OpenAI API writes it, <c>{"error":{"message","type","param","code"}}</c>, so SDKs
/// surface the message and the offending field (<see cref="Param"/>) as they would from OpenAI.
/// </summary>
public sealed class OpenAiError(int status, string message, string type, string? param = null, string? code = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    /// <summary>Seconds the client should wait before retrying (<c>Retry-After</c>), for 429 and 503.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>More response headers, such as OpenAI's <c>x-ratelimit-*</c> on a rate-limit 429.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public static OpenAiError InvalidRequest(string message, string? param, int status = StatusCodes.Status400BadRequest) =>
        new(status, message, "invalid_request_error", param);

    public byte[] ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        // Relaxed escaping keeps quotes and apostrophes in messages readable; the output is still valid JSON.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", Message);
            json.WriteString("type", Type);
            json.WriteString("param", Param);
            json.WriteString("code", Code);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the error as the whole response; the response must not have started.</summary>
    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        response.ContentType = "application/json";
        if (RetryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in Headers ?? new Dictionary<string, string>()) response.Headers[name] = value;
        await response.Body.WriteAsync(ToJson(), response.HttpContext.RequestAborted);
    }
}
