using Strata.Simulation.Metrics;
using Strata.Simulation.Workloads;
using Strata.Engine;

namespace Strata.Simulation.Tests.Simulation;

public class EventOrderTests
{
    private static IReadOnlyList<RequestRecord> Run(params RequestSpec[] workload)
    {
        var cluster = TestCluster.Qwen3OnTwoA100() with { DataParallel = 1 };
        var simulator = new ClusterSimulator(cluster, new TestCluster.LinearStepCost(), workload, new SimulationOptions(1, "order"));
        simulator.Run();
        return simulator.Records;
    }

    /// <summary>
    /// A request arriving at the instant a step ends joins the next step, even when its arrival was scheduled
    /// after that step's end (here: while the step ran), as vLLM's engine core reads new requests before it schedules.
    /// </summary>
    [Fact]
    public void A_request_arriving_when_a_step_ends_joins_the_step_that_starts_then()
    {
        var stepEnd = Run(new RequestSpec(0, 300, 4)).Single().FirstToken;

        var records = Run(new RequestSpec(0, 300, 4), new RequestSpec(stepEnd / 2, 300, 4), new RequestSpec(stepEnd, 300, 4));

        Assert.Equal(stepEnd, records.Single(r => r.Id == 2).FirstScheduled);
    }
}
