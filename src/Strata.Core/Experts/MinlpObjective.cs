namespace Strata.Core.Experts;

/// <summary>
/// Weights of <c>gimbal-minlp</c>'s per-layer objective <c>α·C_load + β·C_comm + γ·C_mig</c> (Gimbal
/// follow-up, arXiv 2606.15177, MINLP terms as its abstract names them; the paper gives no
/// values, these defaults are ours):
/// <list type="bullet">
/// <item><c>α = 1</c>: <c>C_load</c> is max/mean rank load, so a 10% straggler costs 0.1. The straggler delays
/// every rank of the EP group on every MoE layer, which makes it the unit everything else is priced in.</item>
/// <item><c>β = 0.5</c>: <c>C_comm</c> is the fraction of token-expert assignments that cross ranks (0..1).
/// All-to-all time is largely hidden behind expert compute (DeepEP two-micro-batch overlap), so a crossing
/// token is worth about half a straggling one: cutting traffic by 20 points pays for 10% imbalance.</item>
/// <item><c>γ = 0.1</c>: <c>C_mig</c> is newly loaded replicas over slots (0..1), so a full re-layout costs
/// 0.1 and must buy at least a 10% balance gain. A rebalance stalls serving for 0.5–1 s (TRT-LLM, SGLang
/// 1.8 s in sgl-project/sglang PR #6739) every ~3000 steps, a few percent of the interval; the weight is set
/// above that so that noise in one window does not churn weights.</item>
/// </list>
/// </summary>
public sealed record MinlpObjective(double Alpha = MinlpObjective.DefaultAlpha, double Beta = MinlpObjective.DefaultBeta, double Gamma = MinlpObjective.DefaultGamma)
{
    public const double DefaultAlpha = 1.0;
    public const double DefaultBeta = 0.5;
    public const double DefaultGamma = 0.1;

    public double Alpha { get; } = Check(Alpha, "alpha");
    public double Beta { get; } = Check(Beta, "beta");
    public double Gamma { get; } = Check(Gamma, "gamma");

    /// <summary>The objective of one layer of <paramref name="placement"/>, term by term.</summary>
    public MinlpTerms Evaluate(ExpertPlacement placement, ExpertLoad load, ExpertPlacement? current, int layer) =>
        MinlpLayer.Create(load, placement.Ranks, placement.SlotsPerRank, current, layer, this).Terms(placement.PhysicalToLogical(layer));

    /// <summary>The objective summed over layers.</summary>
    public double Total(ExpertPlacement placement, ExpertLoad load, ExpertPlacement? current) =>
        Enumerable.Range(0, load.Layers).Sum(layer => Evaluate(placement, load, current, layer).Total);

    private static double Check(double weight, string name) =>
        double.IsFinite(weight) && weight >= 0
            ? weight
            : throw new ArgumentOutOfRangeException(name, $"{name} = {weight}; objective weights must be finite and non-negative (0 switches a term off).");
}

/// <summary>One layer's objective: normalised terms and their weighted sum.</summary>
public readonly record struct MinlpTerms(double Load, double Traffic, double Migration, double Total);
