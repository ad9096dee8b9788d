using System.Text;
using Microsoft.AspNetCore.Http;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// The client's headers go to the engine as they came, and the gateway's HTTP client
/// (<see cref="ForwarderInvoker"/>) writes header values as ASCII only: it refuses to send
/// anything else, after the engine was picked. A value it could not send is the client's error, so
/// it is found before the request is accepted — a 400 naming the header — and never reaches the
/// forwarder, where the failed send would look like the engine's failure.
/// </summary>
internal static class ForwardableHeaders
{
    public static void Check(IHeaderDictionary headers)
    {
        foreach (var (name, values) in headers)
            foreach (var value in values)
                if (value is not null && !Ascii.IsValid(value))
                    throw OpenAiError.InvalidRequest($"The header '{name}' has a non-ASCII value; the gateway forwards header values to engines as ASCII only (RFC 9110 section 5.5).", name);
    }
}
