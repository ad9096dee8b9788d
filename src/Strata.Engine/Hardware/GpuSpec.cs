namespace Strata.Engine.Hardware;

/// <summary>
/// One GPU's peak numbers from its public spec sheet (the vendors' data sheets).
/// Efficiencies are what a roofline step model multiplies the peaks by; docs/calibration.md
/// says how they were chosen.
/// </summary>
/// <param name="Name">Preset name or "custom".</param>
/// <param name="Bf16Tflops">Dense bf16 tensor throughput, TFLOP/s.</param>
/// <param name="HbmTbps">HBM bandwidth, TB/s.</param>
/// <param name="MemoryGb">HBM capacity, GB (10^9 bytes).</param>
/// <param name="LinkGbps">Intra-node GPU link (NVLink) bandwidth per GPU, GB/s, both directions together.</param>
/// <param name="InterNodeGbps">Inter-node bandwidth per GPU, GB/s, one direction.</param>
public sealed record GpuSpec(string Name, double Bf16Tflops, double HbmTbps, double MemoryGb, double LinkGbps, double InterNodeGbps = 50)
{
    /// <summary>Fraction of peak FLOP/s dense matmuls reach.</summary>
    public double ComputeEfficiency { get; init; } = 0.6;

    /// <summary>Fraction of peak HBM bandwidth the non-expert weight and KV reads reach.</summary>
    public double MemoryEfficiency { get; init; } = 0.8;

    /// <summary>Fraction of peak HBM bandwidth the fused-MoE kernel reaches reading expert weights (~0.9 in the RTX PRO 6000 profile).</summary>
    public double ExpertMemoryEfficiency { get; init; } = 0.9;

    /// <summary>Fixed time per decoder layer: kernel launches and synchronisation a roofline does not see.</summary>
    public double LayerOverheadSeconds { get; init; } = 30e-6;

    /// <summary>Fixed time per engine step: scheduling, input preparation, sampling bookkeeping.</summary>
    public double StepOverheadSeconds { get; init; } = 1e-3;

    /// <summary>The intra-node link as collectives achieve it; by default the nominal NVLink rate per direction with 5 µs per collective.</summary>
    public LinkSpec Link { get; init; } = new("nvlink", LinkGbps / 2 * 1e9, 5e-6);

    public double MemoryBytes => MemoryGb * 1e9;
}
