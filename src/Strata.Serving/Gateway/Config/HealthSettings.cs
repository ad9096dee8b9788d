namespace Strata.Serving.Gateway.Config;

/// <summary>
/// How engines leave and rejoin the pool: an active <c>GET /health</c> probe every
/// <see cref="Interval"/>, and passive failures (refused connections, 5xx, streams that break).
/// <see cref="Failures"/> consecutive failures of either kind take a backend out; a passive
/// removal lasts <see cref="Reactivation"/>, an active one until a probe succeeds — the shape of
/// YARP's ConsecutiveFailures active policy and TransportFailureRate passive policy.
/// </summary>
/// <param name="Panic">
/// When every engine of a model is out of the pool, send its requests to all of them anyway, as
/// Envoy's panic threshold does, rather than answer every client 503: health judged on a few
/// failures can be wrong about all of them at once. False answers 503 instead.
/// </param>
public sealed record HealthSettings(TimeSpan Interval, TimeSpan Timeout, int Failures, TimeSpan Reactivation, bool Panic)
{
    public static HealthSettings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(5), Panic: true);
}
