namespace Strata.Core.Dispatch;

/// <summary>How long a router counts a request it sent as <see cref="EngineView.InFlight"/> (always only when sent after the engine's last snapshot).</summary>
public enum InFlightAccounting
{
    /// <summary>Until it finishes: a gateway holds each request's response, so it sees the end (<c>strata serve</c>, llm-d).</summary>
    UntilFinished,

    /// <summary>
    /// Until the engine's next stats snapshot, finished or not: vLLM's DP client bumps its local copy of the
    /// coordinator's counts on every dispatch and only a new snapshot replaces them
    /// (<c>DPLBAsyncMPClient</c>, <c>vllm/v1/engine/core_client.py</c> @ 00080ee1).
    /// </summary>
    UntilSnapshot,
}
