using Strata.Core.Dispatch;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Health;
using Strata.Serving.Gateway.Signals;

namespace Strata.Serving.Gateway.Backends;

/// <summary>
/// One engine server the gateway forwards to: its health, the load it last reported, and its
/// <see cref="EngineLedger"/> of the requests the gateway has running on it. Shared by every model that lists its
/// URL, so its in-flight count is the engine's, not one model's. One DP rank of a server fronting several is a
/// backend of its own: its own series of the server's <c>/metrics</c>, its own health and ledger, and requests
/// pinned to it by <see cref="EngineTarget.RankHeader"/>.
/// </summary>
public sealed class Backend(EngineTarget target, EngineType engineType, TimeProvider time)
{
    /// <summary>What a <c>/metrics</c> scrape of vLLM or SGLang supplies: queue depth and KV use, not prefill tokens or expert pressure.</summary>
    public const SignalFields ScrapedSignals = SignalFields.QueueDepth | SignalFields.KvUsage;

    private EngineSignals? _published;

    public EngineTarget Target { get; } = target;

    /// <summary>The server's URL: where requests, scrapes and probes go.</summary>
    public Uri Url => Target.Url;

    /// <summary>The data-parallel rank requests are pinned to; null for a server that places them itself.</summary>
    public int? Rank => Target.Rank;

    /// <summary>The forwarder's destination prefix: the server's URL.</summary>
    public string Destination { get; } = target.Url.AbsoluteUri.TrimEnd('/');

    /// <summary>The metrics label: the URL, with <c>#dp</c> and the rank for one rank of a server.</summary>
    public string Name => Target.Name;

    public EngineType EngineType { get; } = engineType;

    public BackendHealth Health { get; } = new(time);

    /// <summary>The last successful scrape; null before the first or when <c>/metrics</c> is unavailable.</summary>
    public EngineSignals? Signals { get; set; }

    /// <summary>The engine as the router counts it: the last scrape published, plus the gateway's requests since.</summary>
    public EngineLedger Ledger { get; } = new();

    /// <summary>Requests the gateway has running on this engine, over every model.</summary>
    public int InFlight => Ledger.Outstanding;

    /// <summary>
    /// Brings the ledger up to date before a decision: the engine's health, and the latest scrape once, taken when it
    /// was sent (<paramref name="seconds"/> turns a timestamp into router seconds), so requests dispatched after that
    /// count as in flight.
    /// </summary>
    internal void SyncLedger(Func<long, double> seconds)
    {
        Ledger.Healthy = Health.IsHealthy;
        if (Signals is not { } signals || ReferenceEquals(Interlocked.Exchange(ref _published, signals), signals)) return;
        Ledger.Publish(new EngineView(0, signals.Waiting, signals.Running, signals.KvUsage, 0, 0, 0, KvCapacityTokens: signals.KvCapacityTokens),
            seconds(signals.Timestamp));
    }
}
