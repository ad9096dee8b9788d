namespace Strata.Core.Experts;

/// <summary>Which of DeepSeek EPLB's two policies to run.</summary>
public enum EplbMode
{
    /// <summary>EPLB's own choice: hierarchical when the expert groups divide evenly over the nodes, else global.</summary>
    Auto,

    /// <summary>Groups packed onto nodes first; every replica stays on the node of its group.</summary>
    Hierarchical,

    /// <summary>All experts replicated together and packed onto all GPUs, ignoring nodes.</summary>
    Global,
}

/// <summary>
/// DeepSeek EPLB <c>rebalance_experts</c>, bit-exact with the reference under its deterministic tie rule
/// (see <see cref="DeepSeekEplb"/>). Layers are planned independently; the current placement is ignored,
/// as in the reference, so a rebalance may move almost every slot.
/// </summary>
public sealed class EplbPlanner(EplbMode mode = EplbMode.Auto) : IExpertPlanner
{
    public const string PolicyName = "eplb";

    public string Name => PolicyName;

    public EplbMode Mode { get; } = mode;

    public ExpertPlacement Plan(ExpertLoad load, PlacementShape shape, ExpertPlacement? current)
    {
        shape.Validate(load.LogicalExperts);
        var hierarchical = shape.ExpertGroups % shape.Nodes == 0;
        if (Mode == EplbMode.Hierarchical && !hierarchical)
            throw new ArgumentException($"hierarchical EPLB needs the {shape.ExpertGroups} expert groups to divide evenly over {shape.Nodes} nodes; use mode global or auto, or a node count that divides the group count.");
        if (Mode == EplbMode.Global) hierarchical = false;

        var groups = hierarchical ? shape.ExpertGroups : 1;
        var nodes = hierarchical ? shape.Nodes : 1;
        var rows = new int[load.Layers][];
        var ranks = new int[load.Layers][];
        for (var layer = 0; layer < load.Layers; layer++)
        {
            var weight = Array.ConvertAll(load.PerExpert[layer], w => (float)w);
            var result = DeepSeekEplb.Hierarchical(weight, shape.PhysicalSlots, groups, nodes, shape.Ranks);
            rows[layer] = result.PhysicalToLogical;
            ranks[layer] = result.ReplicaRank;
        }
        return new ExpertPlacement(rows, load.LogicalExperts, shape.Ranks, ranks);
    }
}
