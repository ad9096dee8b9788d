namespace Strata.Core.Dispatch;

/// <summary>
/// <c>vllm-dp</c>: vLLM's internal data-parallel load balancer (<c>DPLBAsyncMPClient</c>,
/// research/routers.md §7.1), lowest score wins. Waiting includes the requests this router sent
/// since the last stats update, as vLLM's client bumps its local copy of the counts on each pick.
/// <list type="bullet">
/// <item><c>rule: classic</c> (default; vLLM 0.10–0.19): score = 4·waiting + running, scanning from
/// rank 0, so ties go to the lowest index.</item>
/// <item><c>rule: current</c>: score = max(in flight from this client, waiting + running), plus
/// waiting·6·max(0, KV usage − 0.5) when anything waits; the scan starts one rank later after every
/// pick. With one front end, everything it sent and the engine has not finished is what the
/// snapshot plus the router's own in-flight count shows, so the floor is waiting + running.</item>
/// </list>
/// </summary>
public sealed class VllmDataParallelSelector(bool currentRule = false) : IEngineSelector
{
    public const string PolicyName = "vllm-dp";

    private int _start;

    public string Name => PolicyName;

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var best = -1;
        var bestScore = double.MaxValue;
        for (var k = 0; k < engines.Length; k++)
        {
            var i = (_start + k) % engines.Length;
            ref readonly var engine = ref engines[i];
            if (!engine.Healthy) continue;
            var score = currentRule ? CurrentScore(engine) : 4.0 * engine.QueuedRequests + engine.Running;
            if (score >= bestScore) continue;
            bestScore = score;
            best = i;
        }
        if (currentRule && engines.Length > 0) _start = (_start + 1) % engines.Length;
        return best;
    }

    private static double CurrentScore(in EngineView engine)
    {
        var waiting = engine.QueuedRequests;
        var score = (double)(waiting + engine.Running);
        return waiting > 0 ? score + waiting * 6.0 * Math.Max(0, engine.KvUsage - 0.5) : score;
    }
}
