namespace Strata.Core.Experts;

/// <summary>
/// vLLM's placement before any rebalance (<c>EplbState</c> initial map, "linear" strategy): slot
/// <c>s &lt; E</c> holds logical expert <c>s</c>, and redundant slot <c>E + i</c> holds expert <c>i mod E</c>,
/// identical for every layer. Load is ignored on purpose: this is the baseline every balancing planner is
/// measured against, and giving the spare slots to hot experts would already be a balancing policy.
/// Replicas of one expert may share a rank when there are more spare slots than slots per rank allow.
/// </summary>
public sealed class ContiguousPlanner : IExpertPlanner
{
    public const string PolicyName = "contiguous";

    public string Name => PolicyName;

    public bool ReadsLoad => false;

    public ExpertPlacement Plan(ExpertLoad load, PlacementShape shape, ExpertPlacement? current)
    {
        shape.Validate(load.LogicalExperts);
        var experts = load.LogicalExperts;
        var rows = new int[load.Layers][];
        for (var layer = 0; layer < load.Layers; layer++)
            rows[layer] = Enumerable.Range(0, shape.PhysicalSlots).Select(slot => slot % experts).ToArray();
        return new ExpertPlacement(rows, experts, shape.Ranks);
    }
}
