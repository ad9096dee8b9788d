namespace Strata.Simulation.Tests.Simulation;

public class SmokeTests
{
    [Fact]
    public void Runs_a_small_workload_to_completion()
    {
        var workload = TestCluster.Poisson(200, 5, seed: 1);
        var sim = new ClusterSimulator(TestCluster.Qwen3OnTwoA100(), new TestCluster.LinearStepCost(), workload, new SimulationOptions(1, "test"));
        var summary = sim.Run();
        Assert.Equal(200, summary.Serving.Completed);
        Assert.True(summary.Serving.TtftMs.Mean > 0);
    }
}
