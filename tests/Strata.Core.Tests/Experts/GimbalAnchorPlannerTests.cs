using Strata.Core.Experts;

namespace Strata.Core.Tests.Experts;

public class GimbalAnchorPlannerTests
{
    private static readonly PlacementShape TwoGpus = new(ranks: 2, physicalSlots: 8);

    private static double[][] Transitions(int experts, params (int From, int To, double Count)[] pairs)
    {
        var m = Enumerable.Range(0, experts).Select(_ => new double[experts]).ToArray();
        foreach (var (from, to, count) in pairs) m[from][to] = count;
        return m;
    }

    [Fact]
    public void Pins_linked_experts_to_the_anchor_and_packs_the_rest_greedily()
    {
        var load = new ExpertLoad(
            [[10, 80, 70, 60, 50, 40, 30, 20], [80, 70, 60, 50, 40, 30, 20, 10]],
            transitions: [Transitions(8, (0, 7, 500), (1, 6, 400))]);
        var placement = new GimbalAnchorPlanner(anchor: 1, topPairs: 8).Plan(load, TwoGpus, null);

        // Layer 0: 0 and 1 pinned on GPU 1 (load 90); then 70 -> GPU 0, 60 -> GPU 0 (70 < 90),
        // 50 -> GPU 1 (90 < 130), 40 -> GPU 0 (130 < 140), 30 -> GPU 1 (140 < 170, now full), 20 -> GPU 0.
        Assert.Equal([2, 3, 5, 7, 0, 1, 4, 6], placement.PhysicalToLogical(0).ToArray());
        Assert.Equal([7, 6], placement.PhysicalToLogical(1)[4..6].ToArray());
    }

    [Fact]
    public void Skips_a_pair_that_would_overflow_the_anchor_and_stops_at_top_pairs()
    {
        var shape = new PlacementShape(ranks: 4, physicalSlots: 8);
        var load = new ExpertLoad(
            [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]],
            transitions: [Transitions(8, (0, 0, 9), (1, 1, 8), (2, 2, 7), (3, 3, 6))]);
        var placement = new GimbalAnchorPlanner(anchor: 0, topPairs: 8).Plan(load, shape, null);
        Assert.Equal([0, 1], placement.PhysicalToLogical(0)[..2].ToArray());
        Assert.Equal([0, 1], placement.PhysicalToLogical(1)[..2].ToArray());

        var one = new GimbalAnchorPlanner(anchor: 0, topPairs: 1).Plan(load, shape, null);
        Assert.Equal(0, one.PhysicalToLogical(0)[0]);
        Assert.NotEqual(1, one.PhysicalToLogical(0)[1]);
    }

    [Fact]
    public void Equally_strong_pairs_are_admitted_by_lower_source_then_lower_target()
    {
        var load = new ExpertLoad(
            [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]],
            transitions: [Transitions(8, (3, 3, 5), (1, 2, 5), (1, 0, 5), (0, 7, 4))]);
        var placement = new GimbalAnchorPlanner(anchor: 0, topPairs: 1).Plan(load, new PlacementShape(ranks: 4, physicalSlots: 8), null);

        Assert.Equal(1, placement.PhysicalToLogical(0)[0]);
        Assert.Equal(0, placement.PhysicalToLogical(1)[0]);
    }

    [Fact]
    public void Without_transitions_it_is_least_loaded_greedy_by_descending_load()
    {
        var load = new ExpertLoad([[5, 9, 7, 3]]);
        var placement = new GimbalAnchorPlanner().Plan(load, new PlacementShape(ranks: 2, physicalSlots: 4), null);
        Assert.Equal([1, 3, 2, 0], placement.PhysicalToLogical(0).ToArray());
    }

    [Fact]
    public void Rejects_an_anchor_outside_the_ranks()
    {
        var error = Assert.Throws<ArgumentException>(() => new GimbalAnchorPlanner(anchor: 2).Plan(new ExpertLoad([[1, 2]]), new PlacementShape(2, 2), null));
        Assert.Contains("choose an anchor in 0..1", error.Message);
    }
}
