using Strata.Core.Dispatch;
using Strata.Core.Policies;
using Strata.Engine.Cluster;

namespace Strata.Simulation.Tests.Simulation;

/// <summary>The simulator builds policies from the catalogs it is given, so a host can inject one of its own.</summary>
public sealed class InjectedPolicyTests
{
    /// <summary>A policy no catalog of Strata's knows: the last healthy engine, always.</summary>
    private sealed class LastHealthy : IEngineSelector
    {
        public string Name => "last-healthy";

        public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
        {
            for (var i = engines.Length - 1; i >= 0; i--)
                if (engines[i].Healthy) return i;
            return -1;
        }

        public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now) { }
    }

    [Fact]
    public void A_dispatch_policy_injected_through_the_catalogs_places_every_request()
    {
        var catalogs = PolicyCatalogs.Standard with
        {
            Dispatch = new PolicyCatalog<IEngineSelector>("dispatch policy").Add("last-healthy", _ => new LastHealthy()),
        };
        var cluster = TestCluster.Qwen3OnTwoA100() with { Dispatch = new PolicyOptions("last-healthy", section: "dispatch") };

        var simulator = new ClusterSimulator(cluster, new TestCluster.LinearStepCost(), TestCluster.Poisson(50, rate: 5, seed: 1),
            new SimulationOptions(1, "poisson", Catalogs: catalogs));
        simulator.Run();

        Assert.All(simulator.Records, r => Assert.Equal(1, r.Engine));
        Assert.Throws<PolicyConfigurationException>(() => new ClusterSimulator(cluster, new TestCluster.LinearStepCost(), TestCluster.Poisson(5, 5, 1), new SimulationOptions(1, "poisson")));
    }
}
