namespace Strata.Serving.Gateway.Metrics;

/// <summary>
/// How an accepted request ended. Every request admitted to a model's queue ends as exactly one
/// of these, so their counts add up to the accepted count (docs/gateway.md, "Failure semantics").
/// </summary>
public enum RequestOutcome
{
    /// <summary>The engine's response reached the client whole (a 4xx from the engine included: it is the engine's answer).</summary>
    Completed,

    /// <summary>The client got an error from the gateway: queue timeout, no engine left, or a stream that broke.</summary>
    Failed,

    /// <summary>The client went away first; the upstream request was aborted.</summary>
    Cancelled,
}
