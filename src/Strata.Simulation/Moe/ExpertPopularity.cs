namespace Strata.Simulation.Moe;

/// <summary>
/// How often each expert of each MoE layer is chosen: <c>q[layer][expert]</c> is the expected
/// number of times one token picks that expert, Σ over experts = top-k, each ≤ 1 (a token picks
/// an expert at most once). Drawn per layer from a seeded lognormal, so some layers are far more
/// skewed than others, as routing traces show.
/// </summary>
internal sealed class ExpertPopularity
{
    private readonly double[][] _perToken;

    private ExpertPopularity(double[][] perToken) => _perToken = perToken;

    public int Layers => _perToken.Length;
    public int Experts => _perToken[0].Length;

    public ReadOnlySpan<double> PerToken(int layer) => _perToken[layer];

    public static ExpertPopularity Uniform(int layers, int experts, int topK) =>
        new(Enumerable.Range(0, layers).Select(_ => Enumerable.Repeat((double)topK / experts, experts).ToArray()).ToArray());

    /// <summary>Each layer's weights are exp(σ_l·N(0,1)) with σ_l drawn around <paramref name="skew"/>.</summary>
    public static ExpertPopularity Lognormal(int layers, int experts, int topK, double skew, int seed)
    {
        var random = new Random(seed);
        var gaussian = new Gaussian(random);
        var rows = new double[layers][];
        for (var layer = 0; layer < layers; layer++)
        {
            var sigma = skew * (0.5 + random.NextDouble());
            var weights = new double[experts];
            for (var e = 0; e < experts; e++) weights[e] = Math.Exp(sigma * gaussian.Next());
            rows[layer] = FromWeights(weights, topK);
        }
        return new ExpertPopularity(rows);
    }

    /// <summary>
    /// Scales weights to sum to top-k with no expert above 1: experts that would exceed 1 are
    /// pinned at 1 and the rest rescaled (water-filling).
    /// </summary>
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
