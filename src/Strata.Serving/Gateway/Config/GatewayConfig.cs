namespace Strata.Serving.Gateway.Config;

/// <summary>Everything <c>strata serve</c> reads from its YAML file (<see cref="GatewayConfigFile"/>), validated.</summary>
/// <param name="Listen">Where the gateway listens; a reload cannot change it.</param>
/// <param name="ApiKeys">API key → tenant; empty turns authentication off.</param>
/// <param name="Tenants">What each tenant may do (<see cref="TenantSettings"/>); a tenant not listed gets the defaults.</param>
/// <param name="ScrapeInterval">How often each backend's <c>/metrics</c> is read.</param>
/// <param name="Retries">Other engines a request may be retried on when one fails before its first byte.</param>
/// <param name="MaxBodyBytes">Largest request body accepted (413 above it).</param>
/// <param name="MaxBodyBytesInFlight">Request-body bytes the gateway holds at once across requests (503 beyond it).</param>
/// <param name="MaxConnections">Client connections Kestrel keeps open at once; only a restart changes it.</param>
/// <param name="UpstreamIdleTimeout">How long an engine may send nothing on a stream before its request counts as failed.</param>
/// <param name="InternalsNeedKey">
/// <c>/metrics</c> needs an API key, and <c>/health</c> without one answers its status only — both
/// otherwise name every backend URL to anyone who can reach the gateway.
/// </param>
/// <param name="NonStreamingTimeout">How long a non-streaming request may take on its engine; null sizes it from the request's max tokens (<see cref="UpstreamTimeout"/>).</param>
public sealed record GatewayConfig(
    Uri Listen,
    IReadOnlyDictionary<string, string> ApiKeys,
    IReadOnlyDictionary<string, TenantSettings> Tenants,
    TimeSpan ScrapeInterval,
    HealthSettings Health,
    int Retries,
    int MaxBodyBytes,
    long MaxBodyBytesInFlight,
    long MaxConnections,
    TimeSpan UpstreamIdleTimeout,
    TimeSpan? NonStreamingTimeout,
    bool InternalsNeedKey,
    IReadOnlyList<ModelSettings> Models)
{
    /// <summary>
    /// The budget per requested token of a non-streaming request with no <see cref="NonStreamingTimeout"/>:
    /// 10 tokens/s, well below what a loaded engine decodes per sequence, so the timeout bounds a hung
    /// engine without ever cutting a slow but working one short.
    /// </summary>
    public const double DefaultNonStreamingSecondsPerToken = 0.1;

    /// <summary>The settings of <paramref name="tenant"/>, or the defaults for one the config does not list.</summary>
    public TenantSettings Tenant(string tenant) => Tenants.GetValueOrDefault(tenant) ?? TenantSettings.Default;

    /// <summary>
    /// YARP's activity timeout for one forwarded request. A stream sends a chunk per token, so
    /// silence longer than <see cref="UpstreamIdleTimeout"/> means a stalled engine. A non-streaming
    /// request sends nothing until its answer is whole, so its silence is its generation time:
    /// <see cref="NonStreamingTimeout"/>, else the idle timeout plus
    /// <see cref="DefaultNonStreamingSecondsPerToken"/> per token it may generate.
    /// </summary>
    public TimeSpan UpstreamTimeout(bool stream, int maxTokens) =>
        stream ? UpstreamIdleTimeout : NonStreamingTimeout ?? UpstreamIdleTimeout + TimeSpan.FromSeconds(maxTokens * DefaultNonStreamingSecondsPerToken);
}
