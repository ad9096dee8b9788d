namespace Strata.Serving.Gateway.Config;

/// <summary>
/// Where a server publishes its KV-cache events, as its <c>--kv-events-config</c> says (<c>endpoint</c>,
/// <c>replay_endpoint</c>), with the server's host in place of a bind address: <c>tcp://10.0.0.5:5557</c> for
/// <c>"endpoint": "tcp://*:5557"</c>. DP rank r publishes at the port plus r (both endpoints), as vLLM offsets them.
/// Without a replay endpoint, missed batches cannot be fetched and a silent publisher cannot be told from an idle one.
/// </summary>
public sealed record KvEventSource(string Endpoint, string? ReplayEndpoint = null);
