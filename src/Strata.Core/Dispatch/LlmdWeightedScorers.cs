namespace Strata.Core.Dispatch;

/// <summary>
/// <c>llmd</c>: llm-d's default scheduling profile (research/routers.md, llm-d EPP): the sum of
/// queue-scorer × 2, kv-cache-utilization-scorer × 2 and prefix-cache-scorer × 3, each clamped to
/// [0, 1], highest wins (max-score picker). queue = (maxQ − q) / (maxQ − minQ), 1 when all equal;
/// kv = 1 − KV usage; prefix = matched blocks / prompt blocks (matchLengthWeight 0). The prefix
/// index is approximate: each request's blocks are recorded on the engine it is sent to. llm-d
/// breaks ties at random; here the lowest index wins, so runs are reproducible.
/// </summary>
public sealed class LlmdWeightedScorers(int indexCapacityBlocks, double queueWeight = 2, double kvWeight = 2, double prefixWeight = 3) : IEngineSelector
{
    public const string PolicyName = "llmd";

    private PrefixIndex? _index;

    public string Name => PolicyName;

    public bool ReadsBlockHashes => true;

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        _index ??= new PrefixIndex(engines.Length, indexCapacityBlocks);
        int minQueue = int.MaxValue, maxQueue = int.MinValue;
        foreach (ref readonly var e in engines)
        {
            if (!e.Healthy) continue;
            minQueue = Math.Min(minQueue, e.QueuedRequests);
            maxQueue = Math.Max(maxQueue, e.QueuedRequests);
        }
        var hashes = request.BlockHashes.Span;
        var best = -1;
        var bestScore = double.MinValue;
        for (var i = 0; i < engines.Length; i++)
        {
            ref readonly var e = ref engines[i];
            if (!e.Healthy) continue;
            var queue = maxQueue == minQueue ? 1.0 : (double)(maxQueue - e.QueuedRequests) / (maxQueue - minQueue);
            var kv = Math.Clamp(1 - e.KvUsage, 0, 1);
            var prefix = hashes.Length == 0 ? 0 : (double)_index.MatchBlocks(i, hashes) / hashes.Length;
            var score = queueWeight * queue + kvWeight * kv + prefixWeight * prefix;
            if (score <= bestScore) continue;
            bestScore = score;
            best = i;
        }
        if (best >= 0 && hashes.Length > 0) _index.Record(best, hashes);
        return best;
    }
}
