using Microsoft.AspNetCore.Http;

namespace Strata.Serving.OpenAi;

/// <summary>Writes what the gateway itself adds to an SSE stream it forwards.</summary>
public static class ServerSentEvents
{
    /// <summary>
    /// Ends a stream that broke after its first byte: one <c>data: {"error":{...}}</c> event, as
    /// vLLM's own server reports an error mid-stream, so clients see a failure instead of a
    /// stream that merely stopped. No <c>[DONE]</c> follows: the response did not complete.
    /// </summary>
    /// <param name="closeOpenEvent">The upstream stopped mid-event: a blank line first ends it, so the error is an event of its own.</param>
    public static async Task WriteErrorAsync(HttpResponse response, OpenAiError error, bool closeOpenEvent)
    {
        var token = response.HttpContext.RequestAborted;
        if (closeOpenEvent) await response.Body.WriteAsync("\n\n"u8.ToArray(), token);
        await response.Body.WriteAsync("data: "u8.ToArray(), token);
        await response.Body.WriteAsync(error.ToJson(), token);
        await response.Body.WriteAsync("\n\n"u8.ToArray(), token);
        await response.Body.FlushAsync(token);
    }
}
