using Strata.Core.Experts;
using Strata.Core.Queueing;
using Strata.Engine.Cost;
using Strata.Engine;
using Strata.Engine.Hardware;
using Strata.Engine.Moe;

namespace Strata.Engine.Cluster;

/// <summary>
/// How a cluster's engines and their expert-parallel step cost are put together, in one place so
/// the offline simulator and the real-time emulated engines (Strata.Serving) run the same model.
/// </summary>
public static class ClusterMoe
{
    /// <summary>
    /// vLLM's knobs for one engine, with the victim rule the queue policy implies. vLLM's block pool keeps one block
    /// aside as the null block (<c>vllm/v1/core/block_pool.py</c>), so requests get one fewer than the cache holds.
    /// </summary>
    public static EngineSettings Settings(ClusterConfig config, IQueuePolicy queuePolicy) =>
        new(config.Engine.MaxNumSeqs, config.Engine.MaxNumBatchedTokens, config.Engine.BlockSize,
            KvCapacity.BlocksPerEngine(config) - 1, config.Engine.EnablePrefixCaching, queuePolicy is PriorityScheduling,
            config.Engine.SchedulerReserveFullIsl, config.Engine.AsyncScheduling);

    /// <summary>DP engines that step in lockstep: all of them with expert parallelism, else each on its own.</summary>
    public static int EnginesPerGroup(ClusterConfig config) => config.LockstepDataParallel ? config.DataParallel : 1;

    /// <summary>The expert routing of a MoE model; null for a dense one.</summary>
    public static RoutingModel? Routing(ClusterConfig config, int domains) => config.Model.IsMoe
        ? new(config.Model.MoeLayers, config.Model.RoutedExperts, config.Model.ExpertsPerToken, domains, config.Routing.Skew,
            config.Routing.DomainCorrelation, config.Routing.LayerAffinity, config.Routing.Seed)
        : null;

    /// <summary>The EP ranks and physical expert slots one group's placement covers.</summary>
    public static PlacementShape Shape(ClusterConfig config)
    {
        var ranks = config.ExpertParallel ? config.ExpertParallelSize : 1;
        var shape = new PlacementShape(ranks, config.Model.RoutedExperts + (ranks > 1 ? config.Experts.RedundantSlots : 0),
            Math.Max(1, ranks / config.GpusPerNode), config.Model.ExpertGroups);
        shape.Validate(config.Model.RoutedExperts);
        return shape;
    }

    /// <summary>One lockstep group of engines with its MoE cost and vLLM's DP step semantics.</summary>
    public static EpGroup Group(ClusterConfig config, EngineCore[] members, IStepCostModel cost, ExpertParallelCost? moe) =>
        new(members, cost, moe, CudaGraphSizes.Default(config.Engine.MaxNumSeqs, config.Engine.MaxNumBatchedTokens));

    /// <summary>
    /// The MoE cost of one EP group, starting from <paramref name="start"/> (with <paramref name="domainShares"/> of the
    /// traffic) or else vLLM's contiguous placement under even shares; null for a dense model.
    /// </summary>
    public static ExpertParallelCost? GroupCost(ClusterConfig config, RoutingModel? routing, IStepCostModel cost, Random random,
        ExpertPlacement? start = null, double[]? domainShares = null)
    {
        if (routing is null) return null;
        var topology = new EpTopology(config.TensorParallel, config.ExpertParallel, config.GpusPerNode, config.Model.HiddenSize,
            config.Gpu.Link, config.Gpu.InterNodeGbps, config.EpCost.AllToAllLatencySeconds, config.EpCost.ExpertComputeEfficiency,
            config.EpCost.Backend == EpCostKnobs.AllGatherReduceScatter);
        var placement = start ?? new ContiguousPlanner().Plan(UniformLoad(config.Model), Shape(config), null);
        return new ExpertParallelCost(routing, placement, cost, topology, EnginesPerGroup(config) * config.Engine.MaxNumBatchedTokens, random,
            start is null ? null : domainShares);
    }

    private static ExpertLoad UniformLoad(ModelSpec model) =>
        new(Enumerable.Range(0, model.MoeLayers).Select(_ => Enumerable.Repeat(1.0, model.RoutedExperts).ToArray()).ToArray());
}
