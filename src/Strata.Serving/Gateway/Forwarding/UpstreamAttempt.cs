using Strata.Serving.Gateway.Backends;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// What one try of a request on one engine observed: a 5xx answer held back so it can be retried
/// elsewhere, whether the response is an SSE stream, and the upstream failure (a read error or an
/// idle timeout) that ended the body early, if any. The body's bytes go to the lease's token
/// accounting as they pass.
/// </summary>
public sealed class UpstreamAttempt(BackendLease lease, TimeProvider time, CancellationToken clientAborted, bool canRetry)
{
    private readonly SseEventCounter _events = new();

    public BackendLease Lease { get; } = lease;

    /// <summary>Another engine may still take the request, so a 5xx before the first byte is held back.</summary>
    public bool CanRetry { get; } = canRetry;

    /// <summary>The 5xx answer of the engine, not forwarded because the request will be retried.</summary>
    public EngineAnswer? HeldBack { get; set; }

    public bool IsEventStream { get; set; }

    /// <summary>Why the upstream body ended early; null when it ended cleanly.</summary>
    public Exception? UpstreamFailure { get; private set; }

    /// <summary>The forwarded stream stopped inside an SSE event.</summary>
    public bool StoppedInsideEvent => _events.InsideEvent;

    public bool ClientAborted => clientAborted.IsCancellationRequested;

    internal void OnBody(ReadOnlySpan<byte> bytes)
    {
        var now = time.GetTimestamp();
        Lease.OnBytes(now);
        if (!IsEventStream) return;
        var events = _events.Feed(bytes);
        if (events > 0) Lease.OnEvents(events, now);
    }

    internal void OnUpstreamFailure(Exception failure) => UpstreamFailure ??= failure;
}
