using Strata.Experiments.Grids;
using Strata.Simulation.Runs;

namespace Strata.Experiments.Running;

/// <summary>
/// Runs a grid's simulations on <c>jobs</c> threads. Every run is validated before the first
/// starts, so a bad name or file stops the experiment at once; results come back in grid
/// order whatever the thread timing, and each run is seeded on its own, so the output of a
/// grid is the same for any <c>jobs</c>.
/// </summary>
public static class ExperimentRunner
{
    public static IReadOnlyList<RunOutcome> Run(ExperimentGrid grid, int jobs, Action<RunOutcome>? finished = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        var runs = grid.Runs().ToArray();
        var prepared = runs.Select(r => r.Spec.Prepare()).ToArray();
        var outcomes = new RunOutcome[runs.Length];
        Parallel.For(0, runs.Length, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancel }, i =>
        {
            var result = prepared[i].Execute();
            var ttft = result.Records.Where(r => !r.Failed).Select(r => r.Ttft * 1000).Order().ToArray();
            var outcome = new RunOutcome(runs[i], result.Summary, ttft);
            outcomes[i] = outcome;
            finished?.Invoke(outcome);
        });
        return outcomes;
    }
}
