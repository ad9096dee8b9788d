using Strata.Experiments.Grids;
using Strata.Experiments.Reports;
using Strata.Experiments.Running;
using Strata.Experiments.Stacks;
using Strata.Simulation.Metrics;
using Strata.Simulation.Runs;

namespace Strata.Experiments.Tests;

public sealed class ExperimentRunnerTests
{
    private static readonly ExperimentGrid Small = new("small",
        [ExperimentCell.Preset("gimbal-a100", "two-end", 1.4), ExperimentCell.Preset("gimbal-a100", "random", 1.0)],
        [PolicyStacks.Baseline, PolicyStacks.Find("gimbal"), PolicyStacks.Find("gimbal-p2-nofeedback")], [0, 1], 150,
        [ExperimentCell.Preset("gimbal-a100", "two-end", 1.4)], []);

    [Fact]
    public void Results_come_back_in_grid_order_and_do_not_depend_on_the_number_of_jobs()
    {
        var serial = ExperimentRunner.Run(Small, jobs: 1);
        var parallel = ExperimentRunner.Run(Small, jobs: 2);

        Assert.Equal(Small.Runs().Select(r => r.Id), serial.Select(o => o.Run.Id));
        Assert.Equal(serial.Select(o => Json(o.Summary)), parallel.Select(o => Json(o.Summary)));
    }

    [Fact]
    public void A_bad_stack_parameter_stops_the_grid_before_any_run_starts()
    {
        var bad = PolicyStack.Of("bad", "fcfs", "gimbal", "contiguous", "", new Dictionary<string, string> { ["theta_kv"] = "2" });
        var started = 0;

        var error = Assert.ThrowsAny<Exception>(() => ExperimentRunner.Run(Small with { Stacks = [PolicyStacks.Baseline, bad] }, 2, _ => started++));

        Assert.Contains("theta_kv", error.Message);
        Assert.Equal(0, started);
    }

    [Fact]
    public void Each_run_file_reruns_to_the_same_summary_bytes()
    {
        var outcome = ExperimentRunner.Run(Small with { Cells = [Small.Cells[0]], Seeds = [1], Stacks = [PolicyStacks.Find("gimbal-p2-nofeedback")] }, 1).Single();
        var folder = Directory.CreateTempSubdirectory("strata-runs").FullName;

        RunFiles.Write(folder, outcome);
        var rerun = new RunSpec
        {
            Cluster = Path.Combine(folder, RunFiles.Folder, outcome.Run.Id + ".yaml"),
            Workload = outcome.Run.Cell.Workload, Rate = outcome.Run.Cell.Rate, Requests = outcome.Run.Requests, Seed = outcome.Run.Seed,
        }.Prepare().Execute();

        Assert.Equal(File.ReadAllText(Path.Combine(folder, RunFiles.Folder, outcome.Run.Id + ".json")), Json(rerun.Summary));
        Assert.Equal("gimbal-pressure", rerun.Summary.Run.Dispatch);
    }

    private static string Json(SimulationSummary summary)
    {
        using var stream = new MemoryStream();
        SummaryJson.Write(summary, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
