using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// The one <see cref="HttpMessageInvoker"/> every forwarded request goes through, configured as
/// YARP's direct-forwarding guide says: no proxy, redirects, decompression or cookies (bodies and
/// headers pass as they are), and trace context propagated. Connections are pooled per engine.
/// </summary>
public sealed class ForwarderInvoker : IDisposable
{
    public HttpMessageInvoker Client { get; } = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        // A refused or unreachable engine must fail fast enough to retry elsewhere within a client's patience.
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    public void Dispose() => Client.Dispose();
}
