namespace Strata.Engine.Hardware;

/// <summary>
/// The GPU-to-GPU link as collectives achieve it (not its nominal rate): the bandwidth one GPU
/// sends at and the fixed time of one collective. docs/calibration.md gives each preset's source.
/// </summary>
/// <param name="Name">What the link is, e.g. "nvlink3" or "pcie5-p2p".</param>
/// <param name="BytesPerSecond">Bytes per second one GPU sends to its peers, one direction, as measured.</param>
/// <param name="LatencySeconds">Fixed time of one collective (launch, synchronisation, first byte).</param>
public sealed record LinkSpec(string Name, double BytesPerSecond, double LatencySeconds)
{
    /// <summary>
    /// Ring all-reduce of <paramref name="bytes"/> over <paramref name="ranks"/> GPUs: each sends
    /// 2·(n−1)/n of the buffer (reduce-scatter, then all-gather), plus the fixed latency.
    /// </summary>
    public double AllReduceSeconds(double bytes, int ranks) =>
        ranks <= 1 || bytes <= 0 ? 0 : LatencySeconds + 2.0 * (ranks - 1) / ranks * bytes / BytesPerSecond;

    /// <summary>
    /// Ring all-gather whose result is <paramref name="bytes"/> over <paramref name="ranks"/> GPUs, each contributing an
    /// equal share: every GPU receives the other (n−1)/n. A reduce-scatter of the same buffer moves the same bytes.
    /// </summary>
    public double AllGatherSeconds(double bytes, int ranks) =>
        ranks <= 1 || bytes <= 0 ? 0 : LatencySeconds + (ranks - 1.0) / ranks * bytes / BytesPerSecond;

    /// <summary>Gather of a <paramref name="bytes"/> result split evenly over <paramref name="ranks"/> GPUs to one: it receives (n−1)/n of it.</summary>
    public double GatherSeconds(double bytes, int ranks) =>
        ranks <= 1 || bytes <= 0 ? 0 : LatencySeconds + (ranks - 1.0) / ranks * bytes / BytesPerSecond;
}
