namespace Strata.Core.Dispatch;

/// <summary>
/// <c>gimbal-pressure</c>: the follow-up paper's pressure-aware dispatch. Its signals are known
/// (KV use, remaining prefill of running requests, waiting prefill, MoE expert pressure; research/
/// paper.md §2.4) but not its formula or weights, so this is the documented stand-in:
/// <code>
/// score(e) = w_kv·KV(e) + w_prefill·pending_prefill(e) / C + w_queue·queued(e) / max(1, max queued) + w_pressure·max(0, pressure(e) − 1)
/// </code>
/// lowest wins, where pending prefill counts waiting, in-flight and the rest of running prefills,
/// and C = <c>prefill_scale_tokens</c> (default 8192, about four 2048-token steps of work) puts
/// tokens on the same footing as a full KV cache. Engines at or above <c>theta_kv</c> (0.9) are
/// left out unless all are (the KV guard). Expert pressure is 1 for even EP ranks and grows as an
/// engine's traffic lands on hot ranks, so only the excess over 1 counts. Defaults: w_kv 1,
/// w_prefill 1, w_queue 0.5, w_pressure 0.5 — KV and prefill backlog drive TTFT directly; queue
/// length and expert pressure break ties between engines that are otherwise alike.
/// </summary>
public sealed class PressureAwareSelector(
    double kvWeight = 1, double prefillWeight = 1, double queueWeight = 0.5, double pressureWeight = 0.5,
    double prefillScaleTokens = 8192, double thetaKv = 0.9) : IEngineSelector
{
    public const string PolicyName = "gimbal-pressure";

    public string Name => PolicyName;

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var anyBelowGuard = false;
        var maxQueued = 1;
        foreach (ref readonly var e in engines)
        {
            if (!e.Healthy) continue;
            anyBelowGuard |= e.KvUsage < thetaKv;
            maxQueued = Math.Max(maxQueued, e.QueuedRequests);
        }
        var best = -1;
        var bestScore = double.MaxValue;
        for (var i = 0; i < engines.Length; i++)
        {
            ref readonly var e = ref engines[i];
            if (!e.Healthy || (anyBelowGuard && e.KvUsage >= thetaKv)) continue;
            var score = Score(e, maxQueued);
            if (score >= bestScore) continue;
            bestScore = score;
            best = i;
        }
        return best;
    }

    public double Score(in EngineView e, int maxQueued) =>
        kvWeight * e.KvUsage
        + prefillWeight * e.PendingPrefillTokens / prefillScaleTokens
        + queueWeight * e.QueuedRequests / Math.Max(1, maxQueued)
        + pressureWeight * Math.Max(0, e.ExpertPressure - 1);
}
