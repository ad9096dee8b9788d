using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Engine;

namespace Strata.Simulation;

/// <summary>
/// The simulated front end's view of the engines, as production has it: engine stats arrive only
/// when an engine publishes them (every <see cref="ClusterConfig.StatsIntervalSeconds"/>), and
/// between publications the router adds what it dispatched itself (in flight), as vLLM's DP
/// client and a gateway's in-flight accounting do. The engine-level policy decides on that view.
/// </summary>
internal sealed class StatsRouter
{
    private readonly IEngineSelector _selector;
    private readonly EngineView[] _published;
    private readonly double[] _publishedAt;
    private readonly EngineView[] _views;
    private readonly int[] _inFlight;
    private readonly long[] _inFlightTokens;

    public StatsRouter(IEngineSelector selector, int engines)
    {
        _selector = selector;
        _published = new EngineView[engines];
        _publishedAt = new double[engines];
        _views = new EngineView[engines];
        _inFlight = new int[engines];
        _inFlightTokens = new long[engines];
        for (var i = 0; i < engines; i++) _published[i] = new EngineView(i, 0, 0, 0, 0, 0, 0);
    }

    public IReadOnlyList<EngineView> Published => _published;

    /// <summary>Prefix-aware policies match on the prompt's block hashes; others need not pay for them.</summary>
    public bool ReadsBlockHashes => _selector is IPrefixAwareSelector;

    /// <summary>The index that wants the engines' KV events: a prefix-aware policy in precise mode, else none.</summary>
    public IKvEventSink? KvEvents => _selector is IPrefixAwareSelector { Affinity.Mode: PrefixIndexMode.Precise } aware ? aware.Affinity : null;

    /// <summary>The engines publish their stats; what was in flight is now in them.</summary>
    public void Publish(double now, IReadOnlyList<EngineCore> engines, long kvCapacityTokens, ReadOnlySpan<double> expertPressure)
    {
        for (var i = 0; i < engines.Count; i++)
        {
            _published[i] = engines[i].Snapshot(i, kvCapacityTokens) with { ExpertPressure = expertPressure[i] };
            _publishedAt[i] = now;
            _inFlight[i] = 0;
            _inFlightTokens[i] = 0;
        }
    }

    public int Route(in DispatchRequest request, double now)
    {
        for (var i = 0; i < _views.Length; i++)
            _views[i] = _published[i] with
            {
                InFlight = _inFlight[i],
                InFlightPrefillTokens = _inFlightTokens[i],
                SignalAge = now - _publishedAt[i],
            };
        var engine = _selector.Route(request, _views, now);
        if (engine < 0) throw new InvalidOperationException($"Dispatch policy '{_selector.Name}' found no healthy engine.");
        _inFlight[engine]++;
        _inFlightTokens[engine] += request.PromptTokens;
        return engine;
    }
}
