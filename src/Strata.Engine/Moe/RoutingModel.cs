namespace Strata.Engine.Moe;

/// <summary>
/// Which experts tokens pick, per request domain and MoE layer, and how that drifts.
/// <para>
/// Layer l's log-popularity for domain d is σ_l·(√ρ·z_l + √(1−ρ)·u_{d,l}): z is shared by all
/// domains, u is the domain's own preference, ρ their correlation. OLMoE's per-domain routing
/// counts (data/expert-routing, checked by RoutingCalibrationTests) give σ 0.27–1.83 per domain and layer (median ≈ 0.8)
/// and a cross-domain correlation of the log counts near 0 (0.11 at layer 0, 0.00 deeper):
/// domains prefer different experts, so the defaults are σ ≈ 0.8, ρ = 0.1 (docs/experts.md).
/// </para>
/// <para>
/// Drift: every drift epoch both z and u take a stationary autoregressive step
/// x ← a·x + √(1−a²)·N(0,1), so popularity wanders while its skew stays the same.
/// </para>
/// </summary>
public sealed class RoutingModel
{
    private readonly int _topK;
    private readonly double[] _sigma;
    private readonly double[][] _shared;
    private readonly double[][][] _own;
    private readonly double _correlation;
    private readonly Gaussian _gaussian;
    private double[][][] _perToken = [];

    public RoutingModel(int layers, int experts, int topK, int domains, double skew, double correlation, double layerAffinity, int seed)
    {
        if (layerAffinity is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(layerAffinity), "routing.layer_affinity must be in [0, 1].");
        LayerAffinity = layerAffinity;
        if (correlation is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(correlation), "routing.domain_correlation must be in [0, 1].");
        _topK = topK;
        _correlation = correlation;
        var random = new Random(seed);
        _gaussian = new Gaussian(random);
        // Layers differ in skew, as the routing heat maps of Gimbal (Fig. 3) and OLMoE show.
        _sigma = Enumerable.Range(0, layers).Select(_ => skew * (0.5 + random.NextDouble())).ToArray();
        _shared = Enumerable.Range(0, layers).Select(_ => Draw(experts)).ToArray();
        _own = Enumerable.Range(0, domains).Select(_ => Enumerable.Range(0, layers).Select(_ => Draw(experts)).ToArray()).ToArray();
        // Each expert's affinity set in the next layer: top-k experts drawn once (ExFlow, Gimbal Fig. 4),
        // from their own seed and only when a planner asks for transitions.
        _successors = new Lazy<int[][][]>(() =>
        {
            var affinity = new Random(seed + 1);
            return Enumerable.Range(0, Math.Max(0, layers - 1))
                .Select(_ => Enumerable.Range(0, experts).Select(_ => Sample(affinity, experts, topK)).ToArray())
                .ToArray();
        });
        Recompute();
    }

    private readonly Lazy<int[][][]> _successors;

    /// <summary>Share of a token's next-layer picks that follow its expert's affinity set.</summary>
    public double LayerAffinity { get; }

    /// <summary>
    /// Expected transition counts from layer <paramref name="layer"/> to the next for <paramref name="tokens"/>
    /// tokens of a domain: a pick of expert i is followed by j with weight (1−κ)·q_j/k + κ·[j ∈ affinity(i)]/k (rows sum to the picks of i).
    /// </summary>
    public void AddTransitions(int domain, int layer, double tokens, double[][] into)
    {
        var here = _perToken[domain][layer];
        var next = _perToken[domain][layer + 1];
        for (var i = 0; i < here.Length; i++)
        {
            var from = tokens * here[i];
            if (from == 0) continue;
            var row = into[i];
            for (var j = 0; j < next.Length; j++) row[j] += from * (1 - LayerAffinity) * next[j] / _topK;
            foreach (var j in _successors.Value[layer][i]) row[j] += from * LayerAffinity / _topK;
        }
    }

    public int Layers => _sigma.Length;
    public int Experts => _shared[0].Length;
    public int Domains => _own.Length;

    /// <summary>Expected picks per token of each expert: Σ = top-k, each ≤ 1.</summary>
    public ReadOnlySpan<double> PerToken(int domain, int layer) => _perToken[domain][layer];

    /// <summary>The pick rates of a token mix with the given share of tokens per domain.</summary>
    public double[] Mixture(int layer, ReadOnlySpan<double> domainShares)
    {
        var mix = new double[Experts];
        for (var d = 0; d < Domains; d++)
        {
            if (domainShares[d] == 0) continue;
            var q = _perToken[d][layer];
            for (var e = 0; e < mix.Length; e++) mix[e] += domainShares[d] * q[e];
        }
        return mix;
    }

    /// <summary>One drift epoch: popularity moves with autocorrelation <paramref name="persistence"/>.</summary>
    public void Drift(double persistence)
    {
        var innovation = Math.Sqrt(1 - persistence * persistence);
        foreach (var row in _shared.Concat(_own.SelectMany(layers => layers)))
            for (var e = 0; e < row.Length; e++) row[e] = persistence * row[e] + innovation * _gaussian.Next();
        Recompute();
    }

    /// <summary><paramref name="count"/> distinct experts out of <paramref name="experts"/> (Floyd's sampling, no sort).</summary>
    private static int[] Sample(Random random, int experts, int count)
    {
        var chosen = new HashSet<int>();
        for (var j = experts - count; j < experts; j++)
            if (!chosen.Add(random.Next(j + 1))) chosen.Add(j);
        return [.. chosen.Order()];
    }

    private double[] Draw(int experts) => Enumerable.Range(0, experts).Select(_ => _gaussian.Next()).ToArray();

    private void Recompute()
    {
        var a = Math.Sqrt(_correlation);
        var b = Math.Sqrt(1 - _correlation);
        _perToken = _own.Select(domain => domain.Select((own, layer) =>
        {
            var weights = new double[own.Length];
            for (var e = 0; e < own.Length; e++) weights[e] = Math.Exp(_sigma[layer] * (a * _shared[layer][e] + b * own[e]));
            return PickRates.FromWeights(weights, _topK);
        }).ToArray()).ToArray();
    }
}
