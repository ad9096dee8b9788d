using Strata.Core.Experts;
using Strata.Engine.Cluster;
using Strata.Engine.Moe;

namespace Strata.Simulation.Tests.Moe;

/// <summary>The distinct-expert tables are filled a token-grid row at a time, when a step first reads the row.</summary>
public class DistinctRowTests
{
    private static readonly Engine.Cluster.ClusterConfig Cluster = TestCluster.Qwen3OnTwoA100() with { ExpertParallel = true };

    /// <summary>The expert time of this test's cost model is 1 µs per distinct expert, so a step's time reads the rows.</summary>
    private static ExpertParallelCost Cost() =>
        ClusterMoe.GroupCost(Cluster, ClusterMoe.Routing(Cluster, 1), new TestCluster.LinearStepCost(), new Random(3))!;

    /// <summary>Every layer's slots in reverse: each expert moves to the other rank.</summary>
    private static ExpertPlacement Reversed(ExpertPlacement placement) =>
        new(Enumerable.Range(0, placement.Layers).Select(l => placement.PhysicalToLogical(l).ToArray().Reverse().ToArray()).ToArray(),
            placement.LogicalExperts, placement.Ranks);

    [Fact]
    public void A_re_placement_refills_the_rows_a_step_already_read()
    {
        var read = Cost();
        var unread = Cost();
        var kept = Cost();
        read.StepSeconds([150, 150], [300]);   // fills the rows around 300 tokens
        unread.StepSeconds([20, 20], [40]);    // fills others; the same noise draws are used up
        kept.StepSeconds([20, 20], [40]);
        var moved = Reversed(read.Placement);
        read.Retabulate(moved, [1.0]);
        unread.Retabulate(moved, [1.0]);

        var afterMove = unread.StepSeconds([150, 150], [300]);

        Assert.Equal(afterMove, read.StepSeconds([150, 150], [300]));
        // The move changes what the rows hold, so a row kept from before it would show.
        Assert.NotEqual(afterMove, kept.StepSeconds([150, 150], [300]));
    }
}
