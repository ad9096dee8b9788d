namespace Strata.Engine.Hardware;

/// <summary>The GPUs of the papers' and the profiles' testbeds.</summary>
public static class GpuPresets
{
    /// <summary>NCCL's ring hop latency on NVLink with its LL protocol (<c>hwLat[NCCL_HW_NVLINK][NCCL_ALGO_RING][NCCL_PROTO_LL]</c>).</summary>
    private const double NvlinkStepSeconds = 0.6e-6;

    /// <summary>
    /// The fixed time of a small NCCL all-reduce between two NVLink-connected GPUs, as NCCL's own tuning model prices it:
    /// ring / LL base latency 6.6 µs plus 0.6 µs per ring step, two steps (<c>baseLat</c>, <c>hwLat</c> in NVIDIA/nccl
    /// <c>src/graph/tuning.cc</c>; docs/calibration.md "Links"). No measurement on the papers' hosts exists.
    /// </summary>
    private static LinkSpec NvlinkNccl(string name, double bytesPerSecond) =>
        new(name, bytesPerSecond, LinkSpec.NcclRingLlBaseMicroseconds * 1e-6 + 2 * NvlinkStepSeconds) { StepLatencySeconds = NvlinkStepSeconds };

    /// <summary>
    /// A100-80GB SXM. Its per-layer overhead is calibrated to vLLM's measured TPOT of ~10 ms at
    /// batch 1 for Qwen3-30B-A3B, three times the 3 ms the weight reads alone take (docs/calibration.md).
    /// Its NVLink 3 as NCCL achieves it between two A100s: 208 GB/s all-reduce bus bandwidth (NVIDIA/nccl-tests issue
    /// #178, two NV12-linked A100-SXM4-80GB), against the 300 GB/s per direction of the data sheet.
    /// </summary>
    public static GpuSpec A100_80GB { get; } = new("a100-80gb", Bf16Tflops: 312, HbmTbps: 2.039, MemoryGb: 80, LinkGbps: 600)
    {
        LayerOverheadSeconds = 120e-6,
        Link = NvlinkNccl("nvlink3-nccl", 208e9),
    };

    /// <summary>
    /// NVLink 4 as NCCL achieves it on H100 / H200 SXM: ~370 GB/s bus bandwidth on ring collectives, the 450 GB/s line
    /// rate less NCCL's ~20% protocol overhead (NCCL's maintainer in NVIDIA/nccl-tests issue #212).
    /// </summary>
    private static readonly LinkSpec Nvlink4 = NvlinkNccl("nvlink4-nccl", 370e9);

    public static GpuSpec H100 { get; } = new("h100", Bf16Tflops: 989, HbmTbps: 3.35, MemoryGb: 80, LinkGbps: 900) { Link = Nvlink4 };
    public static GpuSpec H200 { get; } = new("h200", Bf16Tflops: 989, HbmTbps: 4.8, MemoryGb: 141, LinkGbps: 900) { Link = Nvlink4 };

    /// <summary>
    /// RTX PRO 6000 Blackwell Server: 96 GB at ~1.6 TB/s; no NVLink: GPUs talk over PCIe 5 x16. Collectives run through
    /// NCCL at what it achieves with its default settings on a direct-attach dual-socket host (AMD Turin), far below the
    /// link's 63 GB/s: 22.2 GB/s all-reduce bus bandwidth (all_reduce_perf, 32 MB) and 48 µs for a small all-reduce
    /// (32–64 KB) (voipmonitor/rtx6kpro <c>benchmarks/results.md</c>, "NCCL AllReduce Benchmarks" and "NCCL Graph XML
    /// Impact", commit 29f3863; docs/calibration.md "Links"). That all-reduce has two ring steps; one step's share of it is
    /// NCCL's own for PCIe with the LL protocol (tuning.cc: 1.0 µs of 6.6 + 2 × 1.0), so an all-gather or reduce-scatter
    /// (one step on two GPUs) costs 48 × 7.6 / 8.6 = 42.4 µs.
    /// </summary>
    public static GpuSpec RtxPro6000 { get; } = new("rtxpro6000", Bf16Tflops: 500, HbmTbps: 1.597, MemoryGb: 96, LinkGbps: 128)
    {
        Link = new LinkSpec("pcie5-nccl", 22.2e9, 48e-6) { StepLatencySeconds = 48e-6 * LinkSpec.NcclPcieRingLlStepShare },
    };

    /// <summary>GeForce RTX 4090: 24 GB GDDR6X at 1.008 TB/s, 165 TFLOP/s bf16 (FP32 accumulate), PCIe 4 x16 (NVIDIA Ada whitepaper).</summary>
    public static GpuSpec Rtx4090 { get; } = new("rtx4090", Bf16Tflops: 165, HbmTbps: 1.008, MemoryGb: 24, LinkGbps: 64);

    public static IReadOnlyDictionary<string, GpuSpec> All { get; } = new[] { A100_80GB, H100, H200, RtxPro6000, Rtx4090 }
        .ToDictionary(g => g.Name, StringComparer.Ordinal);
}
