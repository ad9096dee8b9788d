namespace Strata.Simulation.Workloads;

/// <summary>
/// One of the five prompt-length shapes Gimbal (arXiv 2602.21626, §V-A4 and Fig. 5) reshaped
/// BurstGPT into: a histogram over 1000-token buckets (0–999, 1000–1999, …), 1,000 requests each.
/// The paper gives the shapes only as plots; the weights here follow what Fig. 5 shows (axis
/// ranges and bucket spans as extracted from the PDF text; our reading, not stated numbers):
/// <list type="bullet">
/// <item><c>random</c>: 10 buckets (to 9,999), irregular counts up to ~150 of 1,000; we draw each
/// bucket's weight from U[0.5, 1.5] once per seed, so each seed gives a different irregular shape.</item>
/// <item><c>central</c>: 10 buckets peaking mid-range at ~250–300 of 1,000; weight
/// exp(−(i−5)²/(2·1.4²)), peak in the 5,000–5,999 bucket (~28%).</item>
/// <item><c>descending</c>: 10 buckets, most in the shortest (axis to 500); weight 0.55^i, so
/// ~45% below 1,000 tokens, as BurstGPT's own skew (97.6% ≤ 3,000 tokens) suggests.</item>
/// <item><c>two-end</c>: 11 buckets (to 10,999), high at both ends (axis to 250); weight
/// 0.5^i + 0.5^(10−i), ~25% in each end bucket.</item>
/// <item><c>average</c>: 11 buckets (to 10,999), flat, 1/11 each (axis to 150).</item>
/// </list>
/// A length is uniform within its bucket; the first bucket starts at 1 token.
/// </summary>
public sealed class PromptLengthShape
{
    public const int BucketTokens = 1000;

    private readonly Func<int, Random, double> weight;

    private PromptLengthShape(string name, int buckets, Func<int, Random, double> weight)
    {
        Name = name;
        Buckets = buckets;
        this.weight = weight;
    }

    public static PromptLengthShape Random { get; } = new("random", 10, (_, random) => 0.5 + random.NextDouble());
    public static PromptLengthShape Central { get; } = new("central", 10, (i, _) => Math.Exp(-(i - 5) * (i - 5) / (2 * 1.4 * 1.4)));
    public static PromptLengthShape Descending { get; } = new("descending", 10, (i, _) => Math.Pow(0.55, i));
    public static PromptLengthShape TwoEnd { get; } = new("two-end", 11, (i, _) => Math.Pow(0.5, i) + Math.Pow(0.5, 10 - i));
    public static PromptLengthShape Average { get; } = new("average", 11, (_, _) => 1.0);

    public static IReadOnlyList<PromptLengthShape> All { get; } = [Random, Central, Descending, TwoEnd, Average];

    public string Name { get; }

    /// <summary>Number of 1000-token buckets; the longest prompt is Buckets·1000 − 1 tokens.</summary>
    public int Buckets { get; }

    /// <summary>
    /// The shape's bucket probabilities. Only <c>random</c> draws from <paramref name="random"/>;
    /// the others are fixed.
    /// </summary>
    public PromptLengthHistogram Histogram(Random random)
    {
        var weights = new double[Buckets];
        for (var i = 0; i < Buckets; i++) weights[i] = weight(i, random);
        var total = weights.Sum();
        return new PromptLengthHistogram(weights.Select(w => w / total).ToArray());
    }

    public override string ToString() => Name;
}

/// <summary>Probabilities over 1000-token buckets, and a sampler of prompt lengths from them.</summary>
public sealed class PromptLengthHistogram
{
    private readonly double[] cumulative;

    internal PromptLengthHistogram(double[] probabilities)
    {
        Probabilities = probabilities;
        cumulative = new double[probabilities.Length];
        var sum = 0.0;
        for (var i = 0; i < probabilities.Length; i++) cumulative[i] = sum += probabilities[i];
    }

    public IReadOnlyList<double> Probabilities { get; }

    public int Sample(Random random)
    {
        var u = random.NextDouble();
        var bucket = Array.FindIndex(cumulative, c => u < c);
        if (bucket < 0) bucket = cumulative.Length - 1;
        var low = Math.Max(1, bucket * PromptLengthShape.BucketTokens);
        return random.Next(low, (bucket + 1) * PromptLengthShape.BucketTokens);
    }
}
