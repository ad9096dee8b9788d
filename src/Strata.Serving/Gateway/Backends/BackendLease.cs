using Strata.Core.Dispatch;

namespace Strata.Serving.Gateway.Backends;

/// <summary>
/// One request placed on one backend, from dispatch to release: its <see cref="RoutedRequest"/> counts toward the
/// backend's in-flight load, and it records when the response's first byte and SSE events arrived, which is both the
/// token accounting the next dispatch sees and the TTFT/TPOT the metrics report. Released exactly once, whatever
/// ends the request.
/// </summary>
public sealed class BackendLease
{
    private readonly Action<BackendLease, LeaseEnd> _onReleased;
    private long _firstByteAt;
    private long _firstEventAt;
    private long _lastEventAt;
    private int _outputEvents;
    private int _released;

    internal BackendLease(Backend backend, RoutedRequest routed, long dispatchedAt, Action<BackendLease, LeaseEnd> onReleased)
    {
        Backend = backend;
        Routed = routed;
        DispatchedAt = dispatchedAt;
        _onReleased = onReleased;
    }

    public Backend Backend { get; }

    /// <summary>The request as the backend's ledger counts it.</summary>
    public RoutedRequest Routed { get; }

    public int PromptTokens => Routed.PromptTokens;

    /// <summary>TimeProvider timestamp of the dispatch decision.</summary>
    public long DispatchedAt { get; }

    /// <summary>Timestamp of the first response body byte; 0 until then.</summary>
    public long FirstByteAt => Volatile.Read(ref _firstByteAt);

    /// <summary>Timestamps of the first and the latest SSE data event (one per streamed chunk); 0 until then.</summary>
    public long FirstEventAt => Volatile.Read(ref _firstEventAt);

    public long LastEventAt => Volatile.Read(ref _lastEventAt);

    /// <summary>SSE data events so far (not counting <c>[DONE]</c>); vLLM streams about one token per event.</summary>
    public int OutputEvents => Volatile.Read(ref _outputEvents);

    internal void OnBytes(long now)
    {
        if (Interlocked.CompareExchange(ref _firstByteAt, now, 0) == 0) Routed.MarkStarted();
    }

    internal void OnEvents(int events, long now)
    {
        Interlocked.CompareExchange(ref _firstEventAt, now, 0);
        Volatile.Write(ref _lastEventAt, now);
        Interlocked.Add(ref _outputEvents, events);
        Routed.AddOutputTokens(events);
    }

    /// <summary>Ends the request on this engine; <paramref name="end"/> feeds passive health.</summary>
    public void Release(LeaseEnd end)
    {
        if (Interlocked.Exchange(ref _released, 1) == 1) return;
        if (end == LeaseEnd.EngineFailed) Backend.Health.RequestFailed();
        else if (end == LeaseEnd.EngineAnswered) Backend.Health.RequestSucceeded();
        _onReleased(this, end);
    }
}
