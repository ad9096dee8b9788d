using Microsoft.AspNetCore.Http;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// Reads the whole request body, up to a limit: the gateway parses it for scheduling and must
/// replay it if the first engine fails before answering. A body Kestrel refuses while it arrives —
/// too slow (408, its minimum data rate) or malformed framing (400) — is the client's error with
/// Kestrel's status, not an unhandled exception.
/// </summary>
internal static class RequestBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, long maxBytes)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            throw OpenAiError.InvalidRequest($"The request body could not be read: {e.Message}", null, e.StatusCode);
        }
        return buffer.ToArray();
    }

    private static OpenAiError TooLarge(long maxBytes) =>
        OpenAiError.InvalidRequest($"The request body is larger than the gateway's max_body_bytes ({maxBytes}).", null, StatusCodes.Status413PayloadTooLarge);
}
