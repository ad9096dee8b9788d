using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Experts;

namespace Strata.Core.Tests.Experts;

public class BalancedPlannerTests
{
    private static readonly EplbCase FlashLb = EplbCase.Read(EplbCase.Files().Single(f => f.EndsWith("case11_flashlb_counterexample.json", StringComparison.Ordinal)));

    [Fact]
    public void Finds_the_optimum_on_the_flashlb_counterexample_where_eplb_gets_232()
    {
        var placement = new BalancedPlanner().Plan(FlashLb.Load, FlashLb.Shape, null);
        Assert.Equal(196.67, PlacementMetrics.MaxRankLoad(placement, FlashLb.Load, 0), 0.01);
        AssertReplicasOnDistinctRanks(placement);
    }

    [Fact]
    public void Same_seed_gives_the_same_placement()
    {
        var load = new ExpertLoad([[600, 560, 120, 120, 20, 10, 10, 10], [5, 80, 300, 7, 7, 90, 1, 40]]);
        var shape = new PlacementShape(ranks: 4, physicalSlots: 12);
        var first = new BalancedPlanner(seed: 7).Plan(load, shape, null);
        var second = new BalancedPlanner(seed: 7).Plan(load, shape, null);
        for (var layer = 0; layer < load.Layers; layer++)
            Assert.Equal(first.PhysicalToLogical(layer).ToArray(), second.PhysicalToLogical(layer).ToArray());
    }

    [Property(MaxTest = 150)]
    public Property Is_never_worse_than_eplb_on_its_own_objective() =>
        Prop.ForAll(PlanningCase.Arbitrary(), c =>
        {
            var eplb = new EplbPlanner().Plan(c.Load, c.Shape, null);
            var balanced = new BalancedPlanner(iterationsPerSlot: 50).Plan(c.Load, c.Shape, null);
            return Enumerable.Range(0, c.Load.Layers).All(layer =>
                PlacementMetrics.MaxRankLoad(balanced, c.Load, layer) <= PlacementMetrics.MaxRankLoad(eplb, c.Load, layer) + 1e-9);
        });

    /// <summary>
    /// Replicas of one expert share a rank only when co-locating is strictly better: no swap with a slot on
    /// another rank can separate them without raising the layer's max rank load.
    /// </summary>
    [Property(MaxTest = 150)]
    public Property Keeps_co_located_replicas_only_when_no_swap_separates_them_for_free() =>
        Prop.ForAll(PlanningCase.Arbitrary(), c =>
        {
            var placement = new BalancedPlanner(iterationsPerSlot: 50).Plan(c.Load, c.Shape, null);
            return Enumerable.Range(0, c.Load.Layers).All(layer => !HasFreeSeparatingSwap(placement, c.Load, layer));
        });

    [Fact]
    public void The_separating_swap_check_catches_eplbs_co_located_pair()
    {
        var eplb = new EplbPlanner().Plan(FlashLb.Load, FlashLb.Shape, null);
        Assert.True(HasFreeSeparatingSwap(eplb, FlashLb.Load, 0));
    }

    private static bool HasFreeSeparatingSwap(ExpertPlacement placement, ExpertLoad load, int layer)
    {
        var row = placement.PhysicalToLogical(layer).ToArray();
        var max = PlacementMetrics.MaxRankLoad(placement, load, layer);
        bool Holds(int rank, int expert) => Enumerable.Range(rank * placement.SlotsPerRank, placement.SlotsPerRank).Any(s => row[s] == expert);
        for (var a = 0; a < row.Length; a++)
        {
            var rankA = placement.RankOfSlot(a);
            if (Enumerable.Range(rankA * placement.SlotsPerRank, placement.SlotsPerRank).Count(s => row[s] == row[a]) < 2) continue;
            for (var b = 0; b < row.Length; b++)
            {
                var rankB = placement.RankOfSlot(b);
                if (rankB == rankA || row[b] == row[a] || Holds(rankB, row[a]) || Holds(rankA, row[b])) continue;
                var swapped = (int[])row.Clone();
                (swapped[a], swapped[b]) = (swapped[b], swapped[a]);
                var single = new ExpertLoad([load.PerExpert[layer]]);
                var after = new ExpertPlacement([swapped], load.LogicalExperts, placement.Ranks);
                if (PlacementMetrics.MaxRankLoad(after, single, 0) <= max) return true;
            }
        }
        return false;
    }

    internal static void AssertReplicasOnDistinctRanks(ExpertPlacement placement)
    {
        for (var layer = 0; layer < placement.Layers; layer++)
        {
            var row = placement.PhysicalToLogical(layer).ToArray();
            var pairs = row.Select((expert, slot) => (placement.RankOfSlot(slot), expert)).ToArray();
            Assert.Equal(pairs.Length, pairs.Distinct().Count());
        }
    }
}
