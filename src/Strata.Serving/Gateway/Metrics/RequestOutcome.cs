namespace Strata.Serving.Gateway.Metrics;

/// <summary>
/// How an accepted request ended. Every request admitted to a model's queue ends as exactly one
/// of these, so their counts add up to the accepted count (docs/gateway.md, "Failure semantics").
/// </summary>
public enum RequestOutcome
{
    /// <summary>The engine answered 2xx and its response reached the client whole.</summary>
    Completed,

    /// <summary>The client got an error: the engine's own 4xx or 5xx (which only a 5xx counts against its health), or the gateway's — queue timeout, no engine left, a stream that broke.</summary>
    Failed,

    /// <summary>The client went away first; the upstream request was aborted.</summary>
    Cancelled,
}
