using Strata.Engine.Cluster;
using Strata.Engine.Hardware;

namespace Strata.Simulation.Tests.Moe;

/// <summary>The all_to_all backend (pplx-kernels / DeepEP-style dispatch and combine) against a hand calculation.</summary>
public class AllToAllCostTests
{
    /// <summary>Two A100s, uniform routing: every token's 8 picks among 128 experts, 64 on each rank.</summary>
    private static double StepSeconds(LinkSpec link, double kernelLatencySeconds)
    {
        var cluster = TestCluster.Qwen3OnTwoA100() with
        {
            Gpu = GpuPresets.A100_80GB with { Link = link },
            ExpertParallel = true,
            EpCost = new EpCostKnobs { Backend = EpCostKnobs.AllToAll, AllToAllLatencySeconds = kernelLatencySeconds },
            Routing = new RoutingKnobs { Skew = 0, LayerAffinity = 0 },
        };
        var moe = ClusterMoe.GroupCost(cluster, ClusterMoe.Routing(cluster, 1), new TestCluster.LinearStepCost(), new Random(3))!;
        return moe.StepSeconds([100, 100], [200]);
    }

    [Fact]
    public void Each_layer_pays_a_dispatch_and_a_combine_kernel_latency()
    {
        var link = new LinkSpec("test", 100e9, 10e-6);
        // Same seed, same expert work: the difference is 48 layers × (dispatch + combine) × the latency difference.
        Assert.Equal(48 * 2 * 40e-6, StepSeconds(link, 50e-6) - StepSeconds(link, 10e-6), 12);
    }

    [Fact]
    public void Tokens_cross_to_the_other_rank_at_the_links_measured_rate()
    {
        // A token touches the other rank unless none of its picks lands among that rank's 64 experts; the model takes each
        // expert as picked independently at rate q = 8/128, so P = 1 − (1 − 1/16)^64 (without replacement it would be
        // 1 − 64·63·…·57 / (128·127·…·121), 1.3% more). Each rank sends its 100 tokens × P to the other and receives as
        // many; one way moves 100 · P · 2,048 hidden · 2 bytes, once for dispatch and once for combine, in each of 48 layers.
        var stay = Math.Pow(1 - 8.0 / 128, 64);
        var bytesOneWay = 100 * (1 - stay) * 2048 * 2;
        var expected = 48 * 2 * bytesOneWay * (1 / 50e9 - 1 / 100e9);

        var slow = StepSeconds(new LinkSpec("slow", 50e9, 10e-6), 41.65e-6);
        var fast = StepSeconds(new LinkSpec("fast", 100e9, 10e-6), 41.65e-6);

        Assert.Equal(expected, slow - fast, 9);
    }
}
