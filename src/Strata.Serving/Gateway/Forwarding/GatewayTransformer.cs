using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Strata.Serving.Gateway.Config;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// YARP's default header copying plus five things: the request head of <see cref="UpstreamHead"/>;
/// the gateway's own API key is not sent to engines; the DP rank header is the gateway's choice, never the client's
/// (<see cref="EngineTarget.RankHeader"/>: set for one rank of a server, removed otherwise); a 5xx that can still be retried is held back (YARP then copies nothing to the client);
/// and the response body is read through <see cref="ObservedUpstreamStream"/>.
/// </summary>
internal sealed class GatewayTransformer(UpstreamAttempt attempt, bool stripAuthorization) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        UpstreamHead.Apply(httpContext, proxyRequest, destinationPrefix);
        if (stripAuthorization) proxyRequest.Headers.Authorization = null;
        proxyRequest.Headers.Remove(EngineTarget.RankHeader);
        if (attempt.Lease.Backend.Rank is { } rank)
            proxyRequest.Headers.TryAddWithoutValidation(EngineTarget.RankHeader, rank.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null) return await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var status = (int)proxyResponse.StatusCode;
        if (status >= 500 && attempt.CanRetry)
        {
            attempt.HeldBack = await EngineAnswer.ReadAsync(proxyResponse, cancellationToken);
            return false;
        }
        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        attempt.IsEventStream = proxyResponse.Content.Headers.ContentType?.MediaType == "text/event-stream";
        // Headers are already copied to the client; the forwarder reads the body from whatever content the response holds now.
        var body = await proxyResponse.Content.ReadAsStreamAsync(cancellationToken);
        proxyResponse.Content = new StreamContent(new ObservedUpstreamStream(body, attempt));
        return copyBody;
    }
}
