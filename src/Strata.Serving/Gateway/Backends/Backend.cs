using Strata.Core.Dispatch;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Health;
using Strata.Serving.Gateway.Signals;

namespace Strata.Serving.Gateway.Backends;

/// <summary>
/// One engine server the gateway forwards to: its health, the load it last reported, and the
/// requests the gateway has running on it. Shared by every model that lists its URL, so its
/// in-flight count is the engine's, not one model's.
/// </summary>
public sealed class Backend(Uri url, EngineType engineType, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly List<BackendLease> _inFlight = [];

    public Uri Url { get; } = url;

    /// <summary>The URL as the forwarder's destination prefix and the metrics label.</summary>
    public string Name { get; } = url.AbsoluteUri.TrimEnd('/');

    public EngineType EngineType { get; } = engineType;

    public BackendHealth Health { get; } = new(time);

    /// <summary>The last successful scrape; null before the first or when <c>/metrics</c> is unavailable.</summary>
    public EngineSignals? Signals { get; set; }

    public int InFlight
    {
        get
        {
            lock (_lock) return _inFlight.Count;
        }
    }

    internal void Add(BackendLease lease)
    {
        lock (_lock) _inFlight.Add(lease);
    }

    internal void Remove(BackendLease lease)
    {
        lock (_lock) _inFlight.Remove(lease);
    }

    /// <summary>
    /// The engine as a policy sees it: the scraped counts plus the gateway's own requests. Only
    /// requests dispatched after the scrape was sent are added as <see cref="EngineView.InFlight"/>
    /// (older ones are already in the engine's counts); prompt tokens not yet past their first byte
    /// stand in for waiting prefill tokens, which engines do not export; the prompt and streamed
    /// tokens of the rest are the running tokens.
    /// </summary>
    /// <param name="eligible">False when the engine is unhealthy, full, or already failed this request.</param>
    public EngineView View(int index, bool eligible)
    {
        var signals = Signals;
        int inFlight = 0;
        long pendingPrefill = 0, runningTokens = 0;
        lock (_lock)
        {
            foreach (var lease in _inFlight)
            {
                if (signals is null || lease.DispatchedAt > signals.Timestamp) inFlight++;
                if (lease.FirstByteAt == 0) pendingPrefill += lease.PromptTokens;
                else runningTokens += lease.PromptTokens + lease.OutputEvents;
            }
        }
        return new EngineView(
            index,
            signals?.Waiting ?? 0,
            signals?.Running ?? 0,
            signals?.KvUsage ?? 0,
            WaitingPrefillTokens: pendingPrefill,
            RunningPrefillTokens: 0,
            RunningTokens: runningTokens,
            InFlight: inFlight,
            KvCapacityTokens: signals?.KvCapacityTokens ?? 0,
            Healthy: eligible,
            SignalAge: signals is null ? double.PositiveInfinity : time.GetElapsedTime(signals.Timestamp).TotalSeconds);
    }
}
