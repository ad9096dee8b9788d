using Strata.Core.Experts;
using Strata.Core.Policies;
using Strata.Engine.Cost;
using Strata.Engine.Moe;

namespace Strata.Engine.Cluster;

/// <summary>
/// A cluster's engines put together from its configuration: the DP engine cores with their queue policy, the
/// lockstep EP groups with their MoE cost, the expert routing model and each group's rebalancer. It knows nothing of
/// time or events; the simulator's event loop (or an emulator's real-time loop) drives it.
/// </summary>
public sealed class EngineCluster
{
    private readonly int[] _groupOfEngine;

    /// <param name="domains">Request domains, each with its own expert preferences in the routing model (at least one).</param>
    /// <param name="domainShares">Each domain's long-run share of the tokens, for a warm-started placement; asked only then.</param>
    public EngineCluster(ClusterConfig config, IStepCostModel cost, IRequestObserver observer, int domains, Random random,
        PolicyCatalogs catalogs, Func<double[]> domainShares)
    {
        Config = config;
        DomainCount = domains;
        KvCapacityTokens = KvCapacity.TokensPerEngine(config);
        MaxModelLen = KvCapacity.MaxModelLen(config);

        var queuePolicy = catalogs.Queue.Create(config.Queue);
        var settings = ClusterMoe.Settings(config, queuePolicy);
        Engines = new EngineCore[config.DataParallel];
        for (var i = 0; i < Engines.Length; i++)
            Engines[i] = new EngineCore(i, settings, queuePolicy.CreateQueue<SimRequest>(), observer, domains);

        Routing = ClusterMoe.Routing(config, domains);
        var enginesPerGroup = ClusterMoe.EnginesPerGroup(config);
        double[]? shares = null;
        Groups = new EpGroup[Engines.Length / enginesPerGroup];
        Rebalancers = new ExpertRebalancer?[Groups.Length];
        _groupOfEngine = new int[Engines.Length];
        for (var g = 0; g < Groups.Length; g++)
        {
            var members = Engines.Skip(g * enginesPerGroup).Take(enginesPerGroup).ToArray();
            foreach (var engine in members) _groupOfEngine[engine.Index] = g;
            // A warm start begins from the planner's steady state, so the cost tables are built once, for it.
            var start = Routing is null ? null : StartRebalancer(Routing, g, members.Length);
            Groups[g] = ClusterMoe.Group(config, members, cost, ClusterMoe.GroupCost(config, Routing, cost, random, start, shares));
        }

        // The group's rebalancer, when its planner reads load; returns the placement a warm start begins from, if any.
        ExpertPlacement? StartRebalancer(RoutingModel routing, int group, int engines)
        {
            var shape = ClusterMoe.Shape(config);
            var planner = catalogs.Planners.Create(config.Experts.Planner);
            if (shape.Ranks == 1 || !planner.ReadsLoad) return null;
            var rebalancer = Rebalancers[group] = new ExpertRebalancer(planner, shape, routing, config.Model,
                config.Experts.StepInterval, config.Experts.WindowSize, engines, config.TensorParallel, config.Gpu.Link);
            return config.Experts.WarmStart ? rebalancer.SteadyState(shares ??= domainShares(), engines) : null;
        }
    }

    public ClusterConfig Config { get; }

    public int DomainCount { get; }

    public EngineCore[] Engines { get; }

    public EpGroup[] Groups { get; }

    /// <summary>Each group's expert rebalancer; null where placement is fixed (dense model, one rank, or a planner that reads no load).</summary>
    public ExpertRebalancer?[] Rebalancers { get; }

    /// <summary>The expert routing of a MoE model; null for a dense one.</summary>
    public RoutingModel? Routing { get; }

    /// <summary>Total KV capacity of one engine, in tokens.</summary>
    public long KvCapacityTokens { get; }

    /// <summary>Longest prompt plus output an engine takes: the model's context (or <c>max_model_len</c>), or its whole KV cache if smaller.</summary>
    public int MaxModelLen { get; }

    public int GroupOf(int engine) => _groupOfEngine[engine];

    /// <summary>After a group's step: its rebalancer may move experts, which stalls the group's next step.</summary>
    public void AfterStep(int group)
    {
        var g = Groups[group];
        if (g.Moe is { } moe && Rebalancers[group]?.OnStep(g.Engines, moe.Placement) is var (placement, stall))
        {
            moe.Retabulate(placement, Rebalancers[group]!.DomainShares());
            g.PendingStallSeconds += stall;
        }
    }

    /// <summary>The routing model's expert popularity drifts one epoch (<c>routing.drift_persistence</c>).</summary>
    public void Drift()
    {
        Routing?.Drift(Config.Routing.DriftPersistence);
        for (var g = 0; g < Groups.Length; g++)
            Groups[g].Moe?.Retabulate(Groups[g].Moe!.Placement, Rebalancers[g]?.DomainShares() ?? UniformShares());
    }

    /// <summary>How hot the EP ranks an engine's recent tokens hit are; 0 for a dense model.</summary>
    public double Pressure(int engine) => Groups[_groupOfEngine[engine]].Moe?.Pressure(Engines[engine].RecentDomainTokens) ?? 0;

    private double[] UniformShares() => Enumerable.Repeat(1.0 / DomainCount, DomainCount).ToArray();
}
