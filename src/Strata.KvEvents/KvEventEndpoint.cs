using System.Globalization;

namespace Strata.KvEvents;

/// <summary>
/// Where a data-parallel rank's events are: vLLM runs one publisher per DP rank and moves each one's endpoints
/// by its rank (<c>ZmqEventPublisher.offset_endpoint_port</c>, vllm-project/vllm @ 0181ea31
/// <c>vllm/distributed/kv_events.py</c>): a tcp port plus the rank, an inproc name suffixed <c>_dp{rank}</c>,
/// rank 0 unchanged. Publisher and subscriber apply the same rule, so both are configured with the base endpoint.
/// </summary>
public static class KvEventEndpoint
{
    /// <summary><paramref name="endpoint"/> as rank <paramref name="dataParallelRank"/> of a DP deployment publishes it.</summary>
    public static string ForRank(string endpoint, int dataParallelRank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataParallelRank);
        if (dataParallelRank == 0) return endpoint;
        if (endpoint.Contains("inproc", StringComparison.Ordinal)) return $"{endpoint}_dp{dataParallelRank}";
        if (!endpoint.Contains("tcp", StringComparison.Ordinal))
            throw new ArgumentException($"KV-event endpoint '{endpoint}' must be tcp://host:port or inproc://name to be offset by a DP rank.", nameof(endpoint));
        var colon = endpoint.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            throw new ArgumentException($"KV-event endpoint '{endpoint}' has no port to offset by DP rank {dataParallelRank}.", nameof(endpoint));
        return string.Create(CultureInfo.InvariantCulture, $"{endpoint[..colon]}:{port + dataParallelRank}");
    }

    /// <summary>
    /// Whether a publisher binds <paramref name="endpoint"/> rather than connecting to it: vLLM binds a wildcard
    /// (<c>*</c> or <c>::</c>), ipc or inproc address and connects to anything else.
    /// </summary>
    public static bool IsBindAddress(string endpoint) =>
        endpoint.Contains('*') || endpoint.Contains("::", StringComparison.Ordinal)
        || endpoint.StartsWith("ipc://", StringComparison.Ordinal) || endpoint.StartsWith("inproc://", StringComparison.Ordinal);
}
