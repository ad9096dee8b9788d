namespace Strata.Serving.Gateway.Config;

/// <summary>Everything <c>strata serve</c> reads from its YAML file (<see cref="GatewayConfigFile"/>), validated.</summary>
/// <param name="Listen">Where the gateway listens; a reload cannot change it.</param>
/// <param name="ApiKeys">API key → tenant; empty turns authentication off.</param>
/// <param name="ScrapeInterval">How often each backend's <c>/metrics</c> is read.</param>
/// <param name="Retries">Other engines a request may be retried on when one fails before its first byte.</param>
/// <param name="MaxBodyBytes">Largest request body accepted (413 above it).</param>
/// <param name="UpstreamIdleTimeout">How long an engine may send nothing before its request counts as failed.</param>
public sealed record GatewayConfig(
    Uri Listen,
    IReadOnlyDictionary<string, string> ApiKeys,
    TimeSpan ScrapeInterval,
    HealthSettings Health,
    int Retries,
    long MaxBodyBytes,
    TimeSpan UpstreamIdleTimeout,
    IReadOnlyList<ModelSettings> Models);
