namespace Strata.Engine.Hardware;

/// <summary>
/// The GPU-to-GPU link as collectives achieve it (not its nominal rate): the bandwidth one GPU sends at and the fixed
/// time of a collective. docs/calibration.md gives each preset's source.
/// <para>
/// The fixed time follows NCCL's own tuning model (<c>src/graph/tuning.cc</c>, NVIDIA/nccl v2.27.5 / v2.28.9): a base
/// latency plus one hop latency per ring step, where a ring all-reduce over n GPUs takes 2(n−1) steps and an all-gather
/// or a reduce-scatter n−1. <see cref="LatencySeconds"/> is the measured fixed time of a two-GPU all-reduce (two
/// steps); <see cref="StepLatencySeconds"/> is the part of it one step costs, so a two-GPU all-gather or reduce-scatter
/// costs <c>LatencySeconds − StepLatencySeconds</c>. With no step latency every collective costs
/// <see cref="LatencySeconds"/>.
/// </para>
/// </summary>
/// <param name="Name">What the link is, e.g. "nvlink3" or "pcie5-p2p".</param>
/// <param name="BytesPerSecond">Bytes per second one GPU sends to its peers, one direction, as measured.</param>
/// <param name="LatencySeconds">Fixed time of a two-GPU all-reduce (launch, synchronisation, two ring steps).</param>
public sealed record LinkSpec(string Name, double BytesPerSecond, double LatencySeconds)
{
    /// <summary>NCCL's ring hop latency on PCIe with its LL protocol, µs (<c>hwLat[NCCL_HW_PCI][NCCL_ALGO_RING][NCCL_PROTO_LL]</c>).</summary>
    public const double NcclPcieRingLlStepMicroseconds = 1.0;

    /// <summary>NCCL's ring base latency with its LL protocol, µs (<c>baseLat[NCCL_ALGO_RING][NCCL_PROTO_LL]</c>).</summary>
    public const double NcclRingLlBaseMicroseconds = 6.6;

    /// <summary>
    /// The share of a two-GPU ring all-reduce's fixed time that is one ring step in NCCL's model on PCIe with the LL
    /// protocol (small messages): 1.0 / (6.6 + 2 × 1.0) = 0.116.
    /// </summary>
    public const double NcclPcieRingLlStepShare = NcclPcieRingLlStepMicroseconds / (NcclRingLlBaseMicroseconds + 2 * NcclPcieRingLlStepMicroseconds);

    /// <summary>The part of <see cref="LatencySeconds"/> that one ring step costs (NCCL's hop latency); 0 when not split.</summary>
    public double StepLatencySeconds
    {
        get;
        init => field = value >= 0 && value <= LatencySeconds / 2
            ? value
            : throw new ArgumentOutOfRangeException(nameof(StepLatencySeconds), value, "A step costs between 0 and half of the two-GPU all-reduce's latency (it has two steps).");
    }

    /// <summary>Fixed time of a ring collective of <paramref name="steps"/> steps: the base (the two-GPU all-reduce less its two steps) plus the steps.</summary>
    public double CollectiveLatencySeconds(int steps) => LatencySeconds + (steps - 2) * StepLatencySeconds;

    /// <summary>
    /// Ring all-reduce of <paramref name="bytes"/> over <paramref name="ranks"/> GPUs: each sends 2·(n−1)/n of the
    /// buffer (reduce-scatter, then all-gather) in 2(n−1) steps, plus the fixed latency.
    /// </summary>
    public double AllReduceSeconds(double bytes, int ranks) =>
        ranks <= 1 || bytes <= 0 ? 0 : CollectiveLatencySeconds(2 * (ranks - 1)) + 2.0 * (ranks - 1) / ranks * bytes / BytesPerSecond;

    /// <summary>
    /// Ring all-gather whose result is <paramref name="bytes"/> over <paramref name="ranks"/> GPUs, each contributing an
    /// equal share: every GPU receives the other (n−1)/n in n−1 steps.
    /// </summary>
    public double AllGatherSeconds(double bytes, int ranks) =>
        ranks <= 1 || bytes <= 0 ? 0 : CollectiveLatencySeconds(ranks - 1) + (ranks - 1.0) / ranks * bytes / BytesPerSecond;

    /// <summary>
    /// Ring reduce-scatter of a <paramref name="bytes"/> buffer over <paramref name="ranks"/> GPUs: every GPU sends
    /// (n−1)/n of it in n−1 steps, as an all-gather of the same buffer.
    /// </summary>
    public double ReduceScatterSeconds(double bytes, int ranks) => AllGatherSeconds(bytes, ranks);
}
