using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// The request line and headers the engine gets, on top of YARP's default copy (which already drops
/// the fixed hop-by-hop headers — Connection, Keep-Alive, Transfer-Encoding, Upgrade, ...):
/// <list type="bullet">
/// <item>headers the client named in <c>Connection</c> are for this hop only (RFC 9110 section 7.6.1) and are dropped;</item>
/// <item><c>Host</c> is the engine's, from its URL, not the name the client gave the gateway;</item>
/// <item>the client's address is appended to <c>X-Forwarded-For</c>, as YARP's X-Forwarded transform does with its Append action;</item>
/// <item>the query string stays behind: the completion endpoints take none, and an engine must not be steered by one.</item>
/// </list>
/// </summary>
internal static class UpstreamHead
{
    private const string ForwardedFor = "X-Forwarded-For";

    public static void Apply(HttpContext context, HttpRequestMessage upstream, string destinationPrefix)
    {
        var request = context.Request;
        foreach (var value in request.Headers.Connection)
            foreach (var name in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (!upstream.Headers.Remove(name)) upstream.Content?.Headers.Remove(name);
        upstream.Headers.Host = null;
        upstream.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, request.Path, QueryString.Empty);
        if (context.Connection.RemoteIpAddress is { } client)
        {
            var prior = request.Headers[ForwardedFor].ToString();
            upstream.Headers.Remove(ForwardedFor);
            upstream.Headers.TryAddWithoutValidation(ForwardedFor, prior.Length > 0 ? $"{prior}, {client}" : client.ToString());
        }
    }
}
