namespace Strata.Core.Admission;

/// <summary>Why admission could not place a request on an engine.</summary>
public enum AdmissionRejection
{
    /// <summary>Every eligible engine is at its in-flight limit and the queue is at its <c>max_length</c>.</summary>
    QueueFull,

    /// <summary>The queue has room, but not within the request's tenant's share of it (<c>queue_share</c>).</summary>
    QueueShareFull,

    /// <summary>The request waited the queue's TTL without an engine freeing up.</summary>
    QueueTimeout,

    /// <summary>No engine is healthy, and panic mode is off.</summary>
    NoBackend,

    /// <summary>Every engine that could take this request (the healthy ones, or all in panic mode) already failed it before its first byte.</summary>
    EveryBackendFailed,
}
