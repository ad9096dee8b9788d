namespace Strata.Serving.Gateway.Admission;

/// <summary>Why a model's admission could not place a request on an engine.</summary>
public enum AdmissionRejection
{
    /// <summary>Every eligible engine is at its in-flight limit and the queue is at <c>max_length</c>.</summary>
    QueueFull,

    /// <summary>The request waited <c>ttl_s</c> without an engine freeing up.</summary>
    QueueTimeout,

    /// <summary>No engine of the model is healthy, and panic mode is off (<c>health.panic</c>).</summary>
    NoBackend,

    /// <summary>Every engine that could take this request (the healthy ones, or all in panic mode) already failed it before its first byte.</summary>
    EveryBackendFailed,
}

public sealed class AdmissionRejectedException(AdmissionRejection reason, string message, int retryAfterSeconds = 1) : Exception(message)
{
    public AdmissionRejection Reason { get; } = reason;

    /// <summary>When the client may try again: the queue's expected drain for a full or timed-out queue (<see cref="DrainRate"/>).</summary>
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
