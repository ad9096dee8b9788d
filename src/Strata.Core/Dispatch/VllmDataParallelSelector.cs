using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>Which version of vLLM's data-parallel load balancer <see cref="VllmDataParallelSelector"/> follows.</summary>
public enum VllmDataParallelRule
{
    /// <summary>vLLM v0.10–v0.19: score = 4·waiting + running, scan from engine 0.</summary>
    Classic,

    /// <summary>vLLM at <c>00080ee1</c>: in-flight floor, KV penalty on waiting, rotating scan start.</summary>
    Current,
}

/// <summary>
/// <c>vllm-dp</c>: vLLM's internal data-parallel load balancer
/// (<c>DPLBAsyncMPClient.get_core_engine_for_request</c>, <c>vllm/v1/engine/core_client.py</c> @ 00080ee1); lowest score
/// wins, the first engine of the scan on ties. Waiting always includes the requests this router
/// sent since the last stats update, as vLLM's client bumps its local copy of the counts on
/// every dispatch. Parameter <c>rule</c>:
/// <list type="bullet">
/// <item><c>current</c> (default: vLLM as it runs today): max(clients·in-flight, waiting + running), plus
/// waiting·6·max(0, KV − 0.5) when anything waits, and the scan start rotates by one engine per
/// pick so ties do not always favour the same engine. The in-flight floor exists because the
/// coordinator's snapshot can lag the client's dispatches; an <see cref="EngineView"/> already
/// adds those as <see cref="EngineView.InFlight"/>, and with Strata as the only client the floor
/// equals waiting + in-flight + running, which is what is scored.</item>
/// <item><c>classic</c> (vLLM v0.10–v0.19's rule, and the 0.9.x the Gimbal paper ran on): 4·waiting + running, scan from engine 0.</item>
/// </list>
/// </summary>
public sealed class VllmDataParallelSelector : IEngineSelector
{
    public const string PolicyName = "vllm-dp";

    private readonly VllmDataParallelRule _rule;
    private int _scanStart;

    public VllmDataParallelSelector(VllmDataParallelRule rule) => _rule = rule;

    public string Name => PolicyName;

    public VllmDataParallelRule Rule => _rule;

    public static VllmDataParallelSelector FromOptions(PolicyOptions options)
    {
        options.RejectUnknownKeys("rule");
        return new VllmDataParallelSelector(options.GetChoice("rule", "current", "current", "classic") == "current"
            ? VllmDataParallelRule.Current
            : VllmDataParallelRule.Classic);
    }

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now) =>
        engines.IsEmpty ? -1 : EngineScan.Best(engines, new Order(this), ScanStart(engines));

    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now) =>
        _scanStart = (ScanStart(engines) + 1) % engines.Length;

    private int ScanStart(ReadOnlySpan<EngineView> engines) => _rule == VllmDataParallelRule.Current ? _scanStart % engines.Length : 0;

    /// <summary>Lowest score first; on a tie the engine scanned first keeps the pick, as vLLM's strict <c>&lt;</c> does.</summary>
    private readonly struct Order(VllmDataParallelSelector selector) : IEngineOrder
    {
        public bool Eligible(ReadOnlySpan<EngineView> engines, int i) => true;

        public double Score(ReadOnlySpan<EngineView> engines, int i) => selector.Score(engines[i]);

        public int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b) => 0;
    }

    private double Score(in EngineView engine)
    {
        double waiting = engine.QueuedRequests;
        if (_rule == VllmDataParallelRule.Classic) return 4 * waiting + engine.Running;
        var score = waiting + engine.Running;
        if (waiting > 0) score += waiting * 6.0 * Math.Max(0.0, engine.KvUsage - 0.5);
        return score;
    }
}
