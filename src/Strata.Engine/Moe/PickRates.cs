using System.Runtime.CompilerServices;
namespace Strata.Engine.Moe;

/// <summary>Per-token expert pick rates: Σ over experts = top-k, each ≤ 1 (a token picks an expert at most once).</summary>
public static class PickRates
{
    /// <summary>
    /// Scales weights to sum to top-k with no expert above 1: experts that would exceed 1 are
    /// pinned at 1 and the rest rescaled (water-filling).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] FromWeights(ReadOnlySpan<double> weights, int topK)
    {
        if (topK > weights.Length) throw new ArgumentException($"top-k {topK} exceeds the {weights.Length} experts.");
        var q = new double[weights.Length];
        var pinned = new bool[weights.Length];
        var budget = (double)topK;
        while (true)
        {
            var free = 0.0;
            for (var e = 0; e < weights.Length; e++) if (!pinned[e]) free += weights[e];
            var changed = false;
            for (var e = 0; e < weights.Length; e++)
            {
                if (pinned[e]) continue;
                q[e] = free > 0 ? budget * weights[e] / free : 0;
                if (q[e] <= 1) continue;
                q[e] = 1;
                pinned[e] = true;
                budget -= 1;
                changed = true;
            }
            if (!changed) return q;
        }
    }
}
