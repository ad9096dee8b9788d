using Microsoft.AspNetCore.Http;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// A 5xx answer held back while another engine may still take the request: its status, content
/// type and body (the first <see cref="MaxBodyBytes"/> of it), so when no engine is left the client
/// gets the last engine's own error rather than one the gateway made up.
/// </summary>
public sealed class EngineAnswer(int status, string? contentType, byte[] body)
{
    /// <summary>An engine's error body is a short JSON object; more than this is cut off.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public int Status { get; } = status;

    public static async Task<EngineAnswer> ReadAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        var buffer = new byte[MaxBodyBytes];
        var length = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancel);
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancel)) > 0) length += read;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            // The engine failed mid-answer (or the client left, which the caller sees): what arrived is its answer.
        }
        return new EngineAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), buffer[..length]);
    }

    /// <summary>Writes the answer as the whole response; the response must not have started.</summary>
    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        if (contentType is not null) response.ContentType = contentType;
        await response.Body.WriteAsync(body, response.HttpContext.RequestAborted);
    }
}
