using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// Tells from YARP's <see cref="ForwarderError"/> and its exception whose fault a failed forward is.
/// Only a failure of the connection or the engine's answer is the engine's. A request YARP could not
/// send (<see cref="ForwarderError.Request"/>) without any transport error underneath — the HTTP
/// client refused it, as it does a non-ASCII header value — is the client's: the engine never got it.
/// </summary>
public static class ForwardBlame
{
    public static Blame Of(ForwarderError error, Exception? exception) => error switch
    {
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
            or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient => Blame.ClientGone,
        ForwarderError.Request when !FromTransport(exception) => Blame.Client,
        _ => Blame.Engine,
    };

    /// <summary>A socket, stream or timeout error anywhere in the chain, or one the HTTP client itself filed under a transport category.</summary>
    private static bool FromTransport(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is SocketException or IOException or TimeoutException or HttpRequestException { HttpRequestError: not HttpRequestError.Unknown })
                return true;
        return false;
    }
}
