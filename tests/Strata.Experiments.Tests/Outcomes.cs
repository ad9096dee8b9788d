using Strata.Experiments.Grids;
using Strata.Experiments.Running;
using Strata.Experiments.Stacks;
using Strata.Simulation.Metrics;

namespace Strata.Experiments.Tests;

/// <summary>Hand-made run outcomes, so comparison arithmetic is checked on numbers the test chooses.</summary>
internal static class Outcomes
{
    public static readonly ExperimentCell Cell = ExperimentCell.Preset("gimbal-a100", "random", 1.4);

    public static ExperimentGrid Grid(params PolicyStack[] stacks) =>
        new("test", [Cell], stacks, [0], 10, [Cell], []);

    public static RunOutcome Of(PolicyStack stack, double meanTtft, double p99Ttft, double meanTpot, double throughput, int seed = 0, ExperimentCell? cell = null) =>
        Of(cell ?? Cell, stack, meanTtft, p99Ttft, meanTpot, throughput, seed);

    private static RunOutcome Of(ExperimentCell cell, PolicyStack stack, double meanTtft, double p99Ttft, double meanTpot, double throughput, int seed) =>
        new(new ExperimentRun(cell, stack, seed, 10), new SimulationSummary
        {
            Run = new RunDescription(cell.Cluster, cell.Workload, seed, stack.Queue.Name, stack.Dispatch.Name, stack.Experts.Name, cell.Rate, 1),
            Serving = new ServingMetrics
            {
                TtftMs = new LatencyStats(meanTtft, meanTtft, 0, p99Ttft, p99Ttft),
                TpotMs = new LatencyStats(meanTpot, meanTpot, 0, meanTpot, meanTpot),
                RequestThroughput = throughput,
            },
        }, [meanTtft]);
}
