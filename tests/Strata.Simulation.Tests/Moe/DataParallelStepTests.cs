using Strata.Core.Queueing;
using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Core.Data;
using Strata.Engine;
using Strata.Engine.Hardware;
using Strata.Simulation.Workloads;
using CorePolicies = Strata.Core.Policies.Policies;

namespace Strata.Simulation.Tests.Moe;

/// <summary>vLLM's DP step semantics and its default EP exchange, each against a hand calculation.</summary>
public class DataParallelStepTests
{
    private static readonly LinkSpec Link = new("test", 100e9, 10e-6);

    /// <summary>Prices the padded token count, so a test sees what padding each engine ran at.</summary>
    private sealed class PaddedTokenCost : IStepCostModel
    {
        public List<int> Pads { get; } = [];

        public double EngineSeconds(in BatchShape batch)
        {
            Pads.Add(batch.PadTo);
            return Math.Max(batch.Tokens, batch.PadTo) * 1e-5;
        }

        public double MoeLayerSeconds(double assignments, double activatedExperts) => 0;
    }

    private sealed class Ignore : IRequestObserver
    {
        public void OnToken(SimRequest request, double time) { }
        public void OnFinished(SimRequest request, double time) { }
    }

    private static (EpGroup Group, EngineCore[] Engines, PaddedTokenCost Cost) TwoRanks(int maxNumSeqs = 256)
    {
        var cluster = TestCluster.Qwen3OnTwoA100(maxNumSeqs) with { Gpu = GpuPresets.A100_80GB with { Link = Link } };
        var queue = CorePolicies.Queue.Create(cluster.Queue);
        var engines = Enumerable.Range(0, 2).Select(i => new EngineCore(i, ClusterMoe.Settings(cluster, queue), queue.CreateQueue<SimRequest>(), new Ignore())).ToArray();
        var cost = new PaddedTokenCost();
        return (ClusterMoe.Group(cluster, engines, cost, moe: null), engines, cost);
    }

    [Fact]
    public void A_graphed_step_pads_every_rank_to_the_largest_and_its_cpu_side_dp_all_reduce_costs_the_gpus_nothing()
    {
        var (group, engines, cost) = TwoRanks();
        engines[0].Add(new SimRequest(0, new RequestSpec(0, 100, 5), 0), 0);
        // Rank 1 is idle and runs a dummy batch padded to rank 0's 100 tokens (100 ≤ 512, the largest graph).
        // The step: 100 tokens × 10 µs; the DP all-reduce runs on the CPU (Gloo) under async scheduling, off the link.
        var expected = 100 * 1e-5;
        Assert.Equal(expected, group.TryStartStep(0)!.Value, 15);
        Assert.Equal([100, 100], cost.Pads);
    }

    [Fact]
    public void A_step_too_large_for_a_graph_runs_every_rank_unpadded()
    {
        var (group, engines, cost) = TwoRanks(maxNumSeqs: 16); // graphs up to 2 × 16 = 32 tokens
        engines[0].Add(new SimRequest(0, new RequestSpec(0, 100, 5), 0), 0);
        engines[1].Add(new SimRequest(1, new RequestSpec(0, 20, 5), 1), 0);
        // 100 tokens > 32: no DP padding; the slowest rank (100 tokens) sets the step.
        Assert.Equal(100 * 1e-5, group.TryStartStep(0)!.Value, 15);
        Assert.Equal([0, 0], cost.Pads);
    }

    [Fact]
    public void Allgather_reducescatter_moves_every_ranks_padded_tokens_both_ways_per_layer()
    {
        double StepSeconds(LinkSpec link)
        {
            var cluster = TestCluster.Qwen3OnTwoA100() with { Gpu = GpuPresets.A100_80GB with { Link = link } };
            Assert.Equal(EpCostKnobs.AllGatherReduceScatter, cluster.EpCost.Backend);
            var moe = ClusterMoe.GroupCost(cluster, ClusterMoe.Routing(cluster, 1), new TestCluster.LinearStepCost(), new Random(3))!;
            return moe.StepSeconds([100, 100], [200]);
        }
        // The gather: 200 tokens × (2,048 hidden + 128 router logits) × 2 bytes = 870,400 bytes; each of 2 ranks receives
        // half: 10 µs + 435,200 B / 100 GB/s = 14.352 µs. The scatter: 200 × 2,048 × 2 = 819,200 bytes, half of them
        // sent: 10 µs + 409,600 B / 100 GB/s = 14.096 µs. Both in each of 48 layers.
        var exchange = StepSeconds(Link) - StepSeconds(new LinkSpec("free", double.PositiveInfinity, 0));
        Assert.Equal(48 * (14.352e-6 + 14.096e-6), exchange, 12);
    }

    [Fact]
    public void An_idle_ranks_dummy_batch_runs_every_layer_at_the_padded_size_and_samples_nothing()
    {
        var profile = DataFolder.Path("profiles", "rtxpro6000-llama-3.1-8b");
        var model = new ProfileStepCost(profile, ModelPresets.Llama31_8B);
        double Dense(string op) => double.Parse(File.ReadLines(Path.Combine(profile, "dense.csv")).First(l => l.StartsWith(op + ",128,", StringComparison.Ordinal)).Split(',')[2],
            System.Globalization.CultureInfo.InvariantCulture) * 1e-6;
        var layer = 2 * Dense("layernorm") + Dense("qkv_proj") + Dense("rotary_emb") + Dense("o_proj") + Dense("gate_up_proj") + Dense("act_fn") + Dense("down_proj");
        Assert.Equal(32 * layer + Dense("embedding") + Dense("final_layernorm"), model.EngineSeconds(new BatchShape { PadTo = 128 }), 12);
    }
}
