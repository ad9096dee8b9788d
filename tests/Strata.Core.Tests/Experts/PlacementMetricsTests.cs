using Strata.Core.Experts;

namespace Strata.Core.Tests.Experts;

public class PlacementMetricsTests
{
    // 2 ranks x 2 slots: rank 0 = [0, 1], rank 1 = [2, 0]; expert 0 has two replicas.
    private static readonly ExpertPlacement Placement = new([[0, 1, 2, 0]], logicalExperts: 3, ranks: 2);

    [Fact]
    public void Splits_an_experts_load_evenly_over_its_replicas()
    {
        var load = new ExpertLoad([[100, 30, 10]]);
        Assert.Equal([80, 60], PlacementMetrics.RankLoads(Placement, load, 0));
        var summary = PlacementMetrics.Summarize(Placement, load);
        Assert.Equal(80 / 70.0, summary.Worst, 12);
        Assert.Equal(summary.Worst, summary.Mean, 12);
    }

    [Fact]
    public void Counts_tokens_whose_replica_is_on_another_rank_than_their_source()
    {
        // Source 0 sends 40 to expert 0 (20 stay on rank 0, 20 cross) and 10 to expert 2 (all cross);
        // source 1 sends 6 to expert 1 (crosses) and 8 to expert 0 (4 cross, 4 stay).
        var load = ExpertLoad.FromSources([[[40, 0, 10], [8, 6, 0]]]);
        Assert.Equal(20 + 10 + 6 + 4, PlacementMetrics.CrossRankTokens(Placement, load));
    }

    [Fact]
    public void Moving_within_a_rank_costs_nothing_and_a_new_replica_on_a_rank_costs_one()
    {
        var reordered = new ExpertPlacement([[1, 0, 0, 2]], 3, 2);
        Assert.Equal(0, PlacementMetrics.ReplicasToLoad(Placement, reordered));
        Assert.Equal(4, PlacementMetrics.ChangedSlots(Placement, reordered));

        var moved = new ExpertPlacement([[0, 2, 1, 0]], 3, 2);
        Assert.Equal(2, PlacementMetrics.ReplicasToLoad(Placement, moved));
        Assert.Equal(2, PlacementMetrics.ChangedSlots(Placement, moved));
    }

    [Fact]
    public void Cross_rank_traffic_needs_one_source_per_rank()
    {
        var load = ExpertLoad.FromSources([[[1, 1, 1]]]);
        Assert.Contains("1 sources but the placement has 2 EP ranks", Assert.Throws<ArgumentException>(() => PlacementMetrics.CrossRankTokens(Placement, load)).Message);
    }

    [Fact]
    public void Log2phy_pads_every_layer_to_the_most_replicas_of_any_layer()
    {
        var placement = new ExpertPlacement([[0, 1, 0, 0], [0, 1, 1, 0]], 2, 2);
        Assert.Equal([[0, 2, 3], [1, -1, -1]], placement.LogicalToPhysical(0));
        Assert.Equal([[0, 3, -1], [1, 2, -1]], placement.LogicalToPhysical(1));
    }
}
