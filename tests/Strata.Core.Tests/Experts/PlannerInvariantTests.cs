using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Experts;
using Strata.Core.Policies;

namespace Strata.Core.Tests.Experts;

/// <summary>What every planner in the catalog guarantees, whatever the load and shape.</summary>
public class PlannerInvariantTests
{
    private static IEnumerable<IExpertPlanner> AllPlanners() =>
        ExpertPlanners.Catalog.Names.Select(name => ExpertPlanners.Catalog.Create(new PolicyOptions(name, name == BalancedPlanner.PolicyName
            ? new Dictionary<string, string> { ["iterations_per_slot"] = "20" } : null, "experts")));

    [Property(MaxTest = 100)]
    public Property Every_expert_has_a_replica_and_every_rank_has_exactly_its_slots() =>
        Prop.ForAll(PlanningCase.Arbitrary(), c => AllPlanners().All(planner =>
        {
            // gimbal-minlp keeps replicas on distinct ranks and rejects shapes that make that impossible.
            if (planner.Name == GimbalMinlpPlanner.PolicyName && c.Shape.SlotsPerRank > c.Load.LogicalExperts) return true;
            var placement = planner.Plan(c.Load, c.Shape, null);
            return placement.Layers == c.Load.Layers
                && placement.Ranks == c.Shape.Ranks
                && placement.SlotsPerRank == c.Shape.SlotsPerRank
                && Enumerable.Range(0, placement.Layers).All(layer =>
                {
                    var counts = placement.ReplicaCount(layer).ToArray();
                    return counts.All(n => n >= 1) && counts.Sum() == c.Shape.PhysicalSlots;
                });
        }));

    /// <summary>EPLB's hierarchical policy keeps every replica on the node its group was packed onto.</summary>
    [Property(MaxTest = 100)]
    public Property Hierarchical_eplb_keeps_each_group_on_one_node() =>
        Prop.ForAll(PlanningCase.Arbitrary(), c =>
        {
            var placement = new EplbPlanner().Plan(c.Load, c.Shape, null);
            if (c.Shape.ExpertGroups % c.Shape.Nodes != 0) return true;
            var groupSize = c.Load.LogicalExperts / c.Shape.ExpertGroups;
            var slotsPerNode = c.Shape.PhysicalSlots / c.Shape.Nodes;
            return Enumerable.Range(0, placement.Layers).All(layer =>
            {
                var row = placement.PhysicalToLogical(layer).ToArray();
                return row.Select((expert, slot) => (Group: expert / groupSize, Node: slot / slotsPerNode))
                    .GroupBy(p => p.Group).All(g => g.Select(p => p.Node).Distinct().Count() == 1);
            });
        });

    [Fact]
    public void Catalog_names_every_planner_and_rejects_unknown_names_and_keys()
    {
        Assert.Equal(["balanced", "class-balanced", "contiguous", "eplb", "gimbal-anchor", "gimbal-minlp"], ExpertPlanners.Catalog.Names);
        var unknown = Assert.Throws<PolicyConfigurationException>(() => ExpertPlanners.Catalog.Create(new PolicyOptions("eplbb", section: "experts")));
        Assert.Contains("use one of: balanced, class-balanced, contiguous, eplb, gimbal-anchor, gimbal-minlp", unknown.Message);
        var badMode = Assert.Throws<PolicyConfigurationException>(() => ExpertPlanners.Catalog.Create(
            new PolicyOptions("eplb", new Dictionary<string, string> { ["mode"] = "flat" }, "experts")));
        Assert.Contains("experts.mode", badMode.Message);
    }

    [Fact]
    public void Contiguous_follows_vllms_initial_map_and_wraps_redundant_slots()
    {
        var load = new ExpertLoad([[9, 1, 1, 1], [1, 1, 1, 9]]);
        var placement = new ContiguousPlanner().Plan(load, new PlacementShape(ranks: 3, physicalSlots: 6), null);
        Assert.Equal([0, 1, 2, 3, 0, 1], placement.PhysicalToLogical(0).ToArray());
        Assert.Equal([0, 1, 2, 3, 0, 1], placement.PhysicalToLogical(1).ToArray());
    }

    [Theory]
    [InlineData(4, 10, 1, 1, "do not divide evenly over 4 ranks")]
    [InlineData(4, 4, 1, 1, "cannot hold 6 logical experts")]
    [InlineData(4, 8, 1, 4, "do not divide 6 logical experts")]
    [InlineData(6, 12, 4, 1, "6 ranks do not divide evenly over 4 nodes")]
    public void Bad_shapes_are_rejected_with_the_fix(int ranks, int slots, int nodes, int groups, string message)
    {
        var load = new ExpertLoad([[1, 2, 3, 4, 5, 6]]);
        var error = Assert.ThrowsAny<ArgumentException>(() => new EplbPlanner().Plan(load, new PlacementShape(ranks, slots, nodes, groups), null));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Bad_loads_are_rejected_naming_the_entry()
    {
        Assert.Contains("[0][1] = -1", Assert.Throws<ArgumentException>(() => new ExpertLoad([[1, -1]])).Message);
        Assert.Contains("must not be ragged", Assert.Throws<ArgumentException>(() => new ExpertLoad([[1, 2], [1]])).Message);
        Assert.Contains("need 1 (expert i at layer l -> j at l+1)", Assert.Throws<ArgumentException>(() => new ExpertLoad([[1, 2], [3, 4]], transitions: [])).Message);
        Assert.Contains("same sources", Assert.Throws<ArgumentException>(() => new ExpertLoad([[1, 2], [3, 4]], perSource: [[[1, 2]], [[1, 1], [2, 3]]])).Message);
    }
}
