using Microsoft.AspNetCore.Http;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// Reads the whole request body, up to a limit: the gateway parses it for scheduling and must
/// replay it if the first engine fails before answering. With a Content-Length (what OpenAI's SDKs
/// send) the body is read into one buffer of that size, rented from the pool with the request's
/// other buffers (<see cref="RequestBuffers"/>); a chunked body grows a rented buffer as it arrives. Its bytes are taken from the <see cref="BodyBudget"/> before they are read; over it,
/// the request is refused with a 503. A body Kestrel refuses while it arrives — too slow (408, its
/// minimum data rate) or malformed framing (400) — is the client's error with Kestrel's status,
/// not an unhandled exception.
/// </summary>
internal static class RequestBody
{
    private const int Chunk = 64 * 1024;

    /// <summary>The body; its length is held in <paramref name="budget"/> until the caller gives it back (also on every exception, here).</summary>
    /// <param name="maxBytes">max_body_bytes; at most <see cref="int.MaxValue"/>, as the config reads it.</param>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, int maxBytes, RequestBuffers buffers, BodyBudget budget, long budgetBytes)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        var cancel = request.HttpContext.RequestAborted;
        long taken = 0;
        try
        {
            if (request.ContentLength is { } length)
            {
                Take(length);
                var body = buffers.Rent((int)length);
                await request.Body.ReadExactlyAsync(body, cancel);
                return body;
            }
            var buffer = buffers.Rent(Chunk);
            var filled = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer[filled..], cancel)) > 0)
            {
                if (filled + read > maxBytes) throw TooLarge(maxBytes);
                Take(read);
                filled += read;
                if (filled < buffer.Length) continue;
                var larger = buffers.Rent((int)Math.Min(2L * buffer.Length, maxBytes + 1L));
                buffer.CopyTo(larger);
                buffer = larger;
            }
            return buffer[..filled];
        }
        catch (BadHttpRequestException e)
        {
            budget.Give(taken);
            throw OpenAiError.InvalidRequest($"The request body could not be read: {e.Message}", null, e.StatusCode);
        }
        catch
        {
            budget.Give(taken);
            throw;
        }

        void Take(long bytes)
        {
            if (!budget.TryTake(bytes, budgetBytes))
                throw new OpenAiError(StatusCodes.Status503ServiceUnavailable, $"The gateway holds as many request bodies as it may (max_body_bytes_in_flight, {budgetBytes} bytes); retry shortly.", "server_error", code: "gateway_busy") { RetryAfterSeconds = 1 };
            taken += bytes;
        }
    }

    private static OpenAiError TooLarge(long maxBytes) =>
        OpenAiError.InvalidRequest($"The request body is larger than the gateway's max_body_bytes ({maxBytes}).", null, StatusCodes.Status413PayloadTooLarge);
}
