namespace Strata.Core.Dispatch;

/// <summary>
/// <c>vllm-dp</c>: vLLM's internal data-parallel load balancer (<c>DPLBAsyncMPClient</c>):
/// score = 4·waiting + running, lowest score wins, lowest index on ties. Waiting includes the
/// requests this router sent since the last stats update, as vLLM's client bumps its local
/// copy of the counts on every dispatch.
/// </summary>
public sealed class VllmDataParallelSelector : IEngineSelector
{
    public const string PolicyName = "vllm-dp";

    public string Name => PolicyName;

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var best = -1;
        var bestScore = long.MaxValue;
        for (var i = 0; i < engines.Length; i++)
        {
            ref readonly var engine = ref engines[i];
            if (!engine.Healthy) continue;
            var score = 4L * engine.QueuedRequests + engine.Running;
            if (score >= bestScore) continue;
            bestScore = score;
            best = i;
        }
        return best;
    }
}
