using Strata.Core.Policies;
using Strata.Engine.Cluster;
using Strata.Simulation.Workloads;
using Strata.Engine;

namespace Strata.Simulation.Tests.Moe;

public class ExpertRebalancingTests
{
    private static ClusterConfig Cluster(string planner, int stepInterval, double skew = 1.5) => TestCluster.Qwen3OnTwoA100() with
    {
        DataParallel = 4,
        Experts = new ExpertsKnobs { Planner = new PolicyOptions(planner, section: "experts"), StepInterval = stepInterval, WindowSize = 200 },
        Routing = new RoutingKnobs { Skew = skew, DriftIntervalSeconds = 0 },
    };

    private static IReadOnlyList<RequestSpec> Workload() =>
        TestCluster.Poisson(400, rate: 20, seed: 9).Select((r, i) => r with { Domain = i % 2 == 0 ? "code" : "chat" }).ToList();

    private static Metrics.SimulationSummary Run(ClusterConfig cluster) =>
        new ClusterSimulator(cluster, new TestCluster.LinearStepCost(), Workload(), new SimulationOptions(1, "rebalance")).Run();

    [Fact]
    public void Eplb_rebalances_every_interval_charges_the_move_and_evens_the_ranks()
    {
        var contiguous = Run(Cluster("contiguous", 200));
        var eplb = Run(Cluster("eplb", 200));

        Assert.Equal(0, contiguous.ExpertRebalances);
        Assert.True(eplb.ExpertRebalances >= eplb.Steps / 200 - 1, $"{eplb.ExpertRebalances} rebalances in {eplb.Steps} steps");
        Assert.True(eplb.ExpertReplicasMoved > 0);
        Assert.True(eplb.ExpertMigrationStallSeconds > 0);
        Assert.True(eplb.MoeBalancedness < contiguous.MoeBalancedness,
            $"eplb {eplb.MoeBalancedness:F3} vs contiguous {contiguous.MoeBalancedness:F3}");
    }

    [Fact]
    public void Step_interval_zero_keeps_the_first_placement()
    {
        Assert.Equal(0, Run(Cluster("eplb", 0)).ExpertRebalances);
    }

    [Fact]
    public void A_warm_start_begins_from_the_planners_placement_and_a_cold_one_from_contiguous()
    {
        var contiguous = Run(Cluster("contiguous", 0));
        var cold = Run(Cluster("eplb", 0) with { Experts = Cluster("eplb", 0).Experts with { WarmStart = false } });
        var warm = Run(Cluster("eplb", 0));

        Assert.Equal(contiguous.MoeBalancedness, cold.MoeBalancedness);
        Assert.Equal(contiguous.Serving.TtftMs, cold.Serving.TtftMs);
        Assert.True(warm.MoeBalancedness < contiguous.MoeBalancedness - 0.01,
            $"warm eplb {warm.MoeBalancedness:F3} vs contiguous {contiguous.MoeBalancedness:F3}");
        Assert.Equal(0, warm.ExpertRebalances);
        Assert.Equal(0, warm.ExpertMigrationStallSeconds);
    }

    /// <summary>Steps carry a few requests of one domain or the other: balancing each domain evens them where balancing the mix does not.</summary>
    [Fact]
    public void Class_balanced_evens_the_steps_more_than_balancing_the_mix()
    {
        var balanced = Run(Cluster("balanced", 0));
        var classBalanced = Run(Cluster("class-balanced", 0));

        Assert.True(classBalanced.MoeBalancedness < balanced.MoeBalancedness,
            $"class-balanced {classBalanced.MoeBalancedness:F3} vs balanced {balanced.MoeBalancedness:F3}");
    }

    [Fact]
    public void Engines_publish_expert_pressure_to_the_router()
    {
        var simulator = new ClusterSimulator(Cluster("contiguous", 0), new TestCluster.LinearStepCost(), Workload(), new SimulationOptions(1, "pressure"));
        simulator.Run();
        var pressure = simulator.LastPublishedViews.Select(v => v.ExpertPressure).ToArray();
        Assert.Equal(4, pressure.Length);
        Assert.All(pressure, p => Assert.InRange(p, -0.5, 1.0));
        Assert.Contains(pressure, p => p != 0);
    }
}
