using Strata.Engine.Hardware;

namespace Strata.Engine.Cluster;

/// <summary>The papers' testbeds, with the engine defaults vLLM picks on those GPUs (<c>EngineArgs.get_batch_defaults</c> in <c>vllm/engine/arg_utils.py</c>).</summary>
public static class ClusterPresets
{
    /// <summary>
    /// Gimbal P1's stack on its EP exchange: vLLM 0.9 with the pplx-kernels all-to-all (arXiv 2602.21626v1, setup), priced
    /// by mechanism: pplx-kernels' published kernel latency and the bytes at the GPUs' NCCL-measured link rate.
    /// </summary>
    private static readonly EpCostKnobs PplxAllToAll = new() { Backend = EpCostKnobs.AllToAll };

    /// <summary>Fitted, not measured: an all-to-all of 200 µs per dispatch or combine and expert matmuls at 0.12 of the roofline, fitted so vLLM's baseline lands in the Gimbal paper's measured range.</summary>
    private static readonly EpCostKnobs FittedToGimbalA100 = new() { Backend = EpCostKnobs.AllToAll, AllToAllLatencySeconds = 200e-6, ExpertComputeEfficiency = 0.12 };

    /// <summary>Fitted, not measured: the A100 fit's absolute expert speed on H100 (0.12 × 312 ≈ 0.038 × 989 TFLOP/s).</summary>
    private static readonly EpCostKnobs FittedToGimbalH100 = FittedToGimbalA100 with { ExpertComputeEfficiency = 0.038 };

    /// <summary>
    /// Gimbal P1's testbed: Qwen3-30B-A3B on 2× A100-80GB with NVLink, DP2 EP2 TP1, vLLM's A100 defaults, the pplx
    /// all-to-all. Every cost is a mechanism: the roofline with the A100's published single-GPU calibration, NCCL's
    /// measured NVLink rate, pplx-kernels' published kernel latency. Nothing fitted (docs/calibration.md).
    /// </summary>
    public static ClusterConfig GimbalA100 { get; } = new()
    {
        Name = "gimbal-a100",
        Gpu = GpuPresets.A100_80GB,
        Model = ModelPresets.Qwen3_30B_A3B,
        DataParallel = 2,
        TensorParallel = 1,
        ExpertParallel = true,
        Engine = new EngineKnobs { MaxNumSeqs = 256, MaxNumBatchedTokens = 2048, EnablePrefixCaching = true },
        EpCost = PplxAllToAll,
    };

    /// <summary>
    /// Gimbal P1's testbed with its expert-parallel cost fitted, not measured: 200 µs per all-to-all and expert matmuls
    /// at 0.12 of the roofline, chosen so the vLLM baseline lands in the paper's measured range, 3–9× slower than the
    /// mechanisms predict (docs/calibration.md "gimbal-a100-fitted"). For reproducing the paper's load, not for claims.
    /// </summary>
    public static ClusterConfig GimbalA100Fitted { get; } = GimbalA100 with { Name = "gimbal-a100-fitted", EpCost = FittedToGimbalA100 };

    /// <summary>
    /// Gimbal P2's testbed: Qwen3-30B-A3B on 4× H100 SXM with NVLink, DP2 TP2 EP4, vLLM's H100 defaults (8192 tokens,
    /// 1024 seqs), the pplx all-to-all of P1's stack (P2 names no backend). Nothing fitted.
    /// </summary>
    public static ClusterConfig GimbalH100 { get; } = new()
    {
        Name = "gimbal-h100",
        Gpu = GpuPresets.H100,
        Model = ModelPresets.Qwen3_30B_A3B,
        DataParallel = 2,
        TensorParallel = 2,
        ExpertParallel = true,
        Engine = new EngineKnobs { MaxNumSeqs = 1024, MaxNumBatchedTokens = 8192, EnablePrefixCaching = true },
        EpCost = PplxAllToAll,
    };

    /// <summary>
    /// Gimbal P2's testbed with the A100 fit carried over, not measured: the expert kernel at the A100 fit's absolute
    /// speed (0.12 × 312 ≈ 0.038 × 989 TFLOP/s) and its 200 µs all-to-all, which puts P2's "high load" of 4 req/s at the
    /// edge of saturation (docs/calibration.md "gimbal-h100-fitted").
    /// </summary>
    public static ClusterConfig GimbalH100Fitted { get; } = GimbalH100 with { Name = "gimbal-h100-fitted", EpCost = FittedToGimbalH100 };

    /// <summary>
    /// The measured-kernel cluster: Qwen3-30B-A3B on 2× RTX PRO 6000 (PCIe, no NVLink), DP2 EP2 TP1, timed by the
    /// vLLM 0.19 kernel profile of data/profiles/rtxpro6000-qwen3-30b-a3b, with vLLM 0.19's default EP exchange
    /// (allgather_reducescatter) over the cards' measured NCCL link. No fitted constant. The engine stays inside
    /// the profile's grid (its meta.yaml: max_num_batched_tokens 2048, max_num_seqs 256).
    /// </summary>
    public static ClusterConfig RtxPro6000Dp2Ep2 { get; } = new()
    {
        Name = "rtxpro6000-dp2ep2",
        Gpu = GpuPresets.RtxPro6000,
        Model = ModelPresets.Qwen3_30B_A3B,
        DataParallel = 2,
        TensorParallel = 1,
        ExpertParallel = true,
        Engine = new EngineKnobs { MaxNumSeqs = 256, MaxNumBatchedTokens = 2048, EnablePrefixCaching = true },
        StepModel = new StepModelChoice("profile", "profiles/rtxpro6000-qwen3-30b-a3b"),
    };

    public static IReadOnlyDictionary<string, ClusterConfig> All { get; } =
        new[] { RtxPro6000Dp2Ep2, GimbalA100, GimbalH100, GimbalA100Fitted, GimbalH100Fitted }.ToDictionary(c => c.Name, StringComparer.Ordinal);
}
