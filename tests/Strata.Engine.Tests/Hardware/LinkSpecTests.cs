using Strata.Engine.Hardware;

namespace Strata.Engine.Tests.Hardware;

public class LinkSpecTests
{
    [Fact]
    public void Ring_all_reduce_sends_two_n_minus_one_over_n_of_the_buffer_plus_latency()
    {
        var link = new LinkSpec("pcie", 50e9, 10e-6);
        // 2 GPUs: 10 µs + 1 MB / 50 GB/s = 30 µs; 4 GPUs: 10 µs + 1.5 × 20 µs = 40 µs.
        Assert.Equal(30e-6, link.AllReduceSeconds(1e6, 2), 15);
        Assert.Equal(40e-6, link.AllReduceSeconds(1e6, 4), 15);
        Assert.Equal(0, link.AllReduceSeconds(1e6, 1));
    }

    [Fact]
    public void Without_a_step_latency_every_collective_pays_the_same_fixed_time()
    {
        var link = new LinkSpec("pcie", 50e9, 10e-6);
        // All-gather and reduce-scatter of 1 MB over 2 GPUs: 10 µs + 0.5 MB / 50 GB/s = 20 µs; over 4: 10 + 15 µs.
        Assert.Equal(20e-6, link.AllGatherSeconds(1e6, 2), 15);
        Assert.Equal(20e-6, link.ReduceScatterSeconds(1e6, 2), 15);
        Assert.Equal(25e-6, link.AllGatherSeconds(1e6, 4), 15);
        Assert.Equal(0, link.AllGatherSeconds(1e6, 1));
    }

    [Fact]
    public void A_step_latency_prices_each_collective_by_its_ring_steps()
    {
        // 10 µs for a two-GPU all-reduce (two steps) of which 2 µs a step: base 6 µs.
        var link = new LinkSpec("pcie", 50e9, 10e-6) { StepLatencySeconds = 2e-6 };
        // The two-GPU all-reduce keeps its measured 10 µs: 10 + 20 = 30 µs for 1 MB.
        Assert.Equal(30e-6, link.AllReduceSeconds(1e6, 2), 15);
        // Four GPUs: 6 steps: 6 + 6 × 2 = 18 µs, plus 1.5 × 20 µs.
        Assert.Equal(48e-6, link.AllReduceSeconds(1e6, 4), 15);
        // A two-GPU all-gather or reduce-scatter has one step: 6 + 2 = 8 µs, plus 0.5 MB / 50 GB/s = 10 µs.
        Assert.Equal(18e-6, link.AllGatherSeconds(1e6, 2), 15);
        Assert.Equal(18e-6, link.ReduceScatterSeconds(1e6, 2), 15);
        // Four GPUs: 3 steps: 6 + 3 × 2 = 12 µs, plus 0.75 MB / 50 GB/s = 15 µs.
        Assert.Equal(27e-6, link.AllGatherSeconds(1e6, 4), 15);
    }

    [Fact]
    public void Nccls_pcie_ll_split_gives_one_step_of_a_two_gpu_all_reduce_one_part_in_8_point_6()
    {
        // tuning.cc: ring LL base 6.6 µs, PCI hop 1.0 µs; a two-GPU all-reduce is 6.6 + 2 × 1.0 = 8.6 µs, an all-gather 7.6 µs.
        Assert.Equal(1.0 / 8.6, LinkSpec.NcclPcieRingLlStepShare, 15);
        var link = new LinkSpec("pcie", double.PositiveInfinity, 8.6e-6) { StepLatencySeconds = 8.6e-6 * LinkSpec.NcclPcieRingLlStepShare };
        Assert.Equal(8.6e-6, link.AllReduceSeconds(1, 2), 15);
        Assert.Equal(7.6e-6, link.AllGatherSeconds(1, 2), 15);
    }

    [Fact]
    public void A_step_cannot_cost_more_than_half_the_two_step_all_reduce()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkSpec("pcie", 50e9, 10e-6) { StepLatencySeconds = 6e-6 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkSpec("pcie", 50e9, 10e-6) { StepLatencySeconds = -1e-6 });
    }

    [Fact]
    public void The_rtx_pro_6000_link_keeps_its_measured_all_reduce_and_prices_a_two_gpu_all_gather_one_nccl_step_less()
    {
        var link = GpuPresets.RtxPro6000.Link;
        // 48 µs + 2 × 0.5 × 1 MB / 22.2 GB/s for the all-reduce, as before the split.
        Assert.Equal(48e-6 + 1e6 / 22.2e9, link.AllReduceSeconds(1e6, 2), 15);
        // One step of 48 µs is 48 / 8.6 = 5.581 µs; the all-gather and the reduce-scatter: 42.419 µs + 0.5 MB / 22.2 GB/s.
        Assert.Equal(48e-6 * 7.6 / 8.6 + 0.5e6 / 22.2e9, link.AllGatherSeconds(1e6, 2), 15);
        Assert.Equal(48e-6 * 7.6 / 8.6 + 0.5e6 / 22.2e9, link.ReduceScatterSeconds(1e6, 2), 15);
    }
}
