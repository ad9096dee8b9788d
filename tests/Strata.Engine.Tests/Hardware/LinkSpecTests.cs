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
}
