namespace Strata.Core.Dispatch;

/// <summary>The scans over a pool's healthy engines that the selectors share.</summary>
public static class EngineScan
{
    public static int CountHealthy(ReadOnlySpan<EngineView> engines)
    {
        var count = 0;
        foreach (ref readonly var engine in engines)
            if (engine.Healthy) count++;
        return count;
    }

    /// <summary>The index of the <paramref name="n"/>-th healthy engine (0-based), or -1.</summary>
    public static int NthHealthy(ReadOnlySpan<EngineView> engines, int n)
    {
        for (var i = 0; i < engines.Length; i++)
        {
            if (!engines[i].Healthy) continue;
            if (n-- == 0) return i;
        }
        return -1;
    }

    /// <summary>True when <paramref name="index"/> names a healthy engine of the pool.</summary>
    public static bool IsHealthy(ReadOnlySpan<EngineView> engines, int index) =>
        (uint)index < (uint)engines.Length && engines[index].Healthy;

    /// <summary>
    /// The best healthy, eligible engine under <paramref name="order"/>, or -1. The scan starts at
    /// <paramref name="start"/> (within the pool) and wraps; ties go to the first engine scanned, unless
    /// <paramref name="ties"/> is given, in which case each of the tied engines is equally likely
    /// (reservoir sampling on the decision's own draws).
    /// </summary>
    public static int Best<TOrder>(ReadOnlySpan<EngineView> engines, in TOrder order, int start = 0, in DecisionRandom? ties = null)
        where TOrder : struct, IEngineOrder, allows ref struct
    {
        var best = -1;
        var bestScore = double.PositiveInfinity;
        var tied = 0;
        for (var k = 0; k < engines.Length; k++)
        {
            var i = start + k;
            if (i >= engines.Length) i -= engines.Length;   // a wrap, not a division per engine: this loop is on every decision
            if (!engines[i].Healthy || !order.Eligible(engines, i)) continue;
            var score = order.Score(engines, i);
            var compared = best < 0 || score < bestScore ? -1 : score > bestScore ? 1 : order.BreakTie(engines, i, best);
            if (compared < 0)
            {
                (best, bestScore, tied) = (i, score, 1);
            }
            else if (compared == 0 && ties is { } random)
            {
                tied++;
                if (random.Next(tied, tied) == 0) best = i;   // the t-th tied engine replaces the pick with probability 1/t
            }
        }
        return best;
    }
}
