namespace Strata.Engine.Cost;

/// <summary>
/// How long the pieces of an engine step take on the cluster's GPUs. The simulator combines
/// them: a step lasts the slowest DP engine's <see cref="EngineSeconds"/> plus, for each MoE
/// layer, the slowest EP rank's <see cref="MoeLayerSeconds"/> plus the all-to-all.
/// </summary>
public interface IStepCostModel
{
    /// <summary>
    /// Seconds of one step's non-expert work on one DP engine: every layer's attention, norms
    /// and projections, embedding, lm_head and sampling, tensor-parallel all-reduces, and the
    /// fixed per-step overhead. An empty batch is the dummy step an idle EP rank runs.
    /// </summary>
    double EngineSeconds(in BatchShape batch);

    /// <summary>
    /// Seconds of one MoE layer's routed-expert work on one EP rank (one GPU) that received
    /// <paramref name="assignments"/> token-expert pairs over <paramref name="activatedExperts"/>
    /// distinct experts (each one's weights are read once).
    /// </summary>
    double MoeLayerSeconds(double assignments, double activatedExperts);
}
