using System.CommandLine;
using Spectre.Console;
using Strata.Cli.Output;
using Strata.Experiments.Grids;
using Strata.Experiments.Reports;
using Strata.Experiments.Running;
using Strata.Experiments.Stacks;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata experiment</c>: the evaluation grid of the Gimbal papers — prompt shapes × request
/// rates × seeds × policy stacks — in the simulator; a table of changes against the vLLM
/// baseline in the terminal, and a report folder with charts and every run's raw summary.
/// </summary>
internal static class ExperimentCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var grid = new Option<string>("--grid") { Description = $"Grid to run: {string.Join(", ", ExperimentGrids.Names)}.", DefaultValueFactory = _ => "default" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Report folder.", DefaultValueFactory = _ => new DirectoryInfo("strata-report") };
        var jobs = new Option<int>("--jobs") { Description = "Simulations run in parallel (results do not depend on it).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var stacks = new Option<string[]>("--stacks") { Description = $"Only these stacks (the baseline always runs): {string.Join(", ", PolicyStacks.All.Select(s => s.Name))}.", AllowMultipleArgumentsPerToken = true };
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per cell, overriding the grid's (0, 1, … N−1)." };
        var requests = new Option<int?>("--requests") { Description = "Requests per run, overriding the grid's." };
        var gateway = new Option<int?>("--gateway") { Description = "Run every stack but the vLLM baseline behind strata serve's admission stage with this max_in_flight per engine (its queue policy orders the gateway's queue)." };
        var traces = new Option<DirectoryInfo?>("--traces") { Description = "Folder of the Azure and Mooncake traces (default: the data/traces Strata ships)." };
        var command = new Command("experiment", "Run the evaluation grid in the simulator: every policy stack against the vLLM baseline, with a report.")
        {
            grid, output, jobs, stacks, seeds, requests, gateway, traces,
        };
        command.SetAction(parse =>
        {
            var chosen = Grid(parse.GetValue(grid)!, TracesOption(parse.GetValue(traces)));
            if (parse.GetValue(stacks) is { Length: > 0 } names) chosen = Checked(() => chosen.WithStacks(names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToArray()));
            if (parse.GetValue(seeds) is { } n) chosen = n >= 1 ? chosen.WithSeeds(n) : throw new CliUsageException("--seeds: must be at least 1.");
            if (parse.GetValue(gateway) is { } g) chosen = g >= 1 ? chosen.BehindGateway(g) : throw new CliUsageException("--gateway: the gateway's max_in_flight per engine must be at least 1 (e.g. 8).");
            if (parse.GetValue(requests) is { } r) chosen = r >= 1 ? chosen.WithRequests(r) : throw new CliUsageException("--requests: must be at least 1.");
            var parallel = parse.GetValue(jobs);
            if (parallel < 1) throw new CliUsageException("--jobs: must be at least 1.");
            var folder = parse.GetValue(output)!.FullName;

            ExperimentTables.WriteLeftOut(console, chosen);
            IReadOnlyList<RunOutcome> outcomes = [];
            var started = System.Diagnostics.Stopwatch.StartNew();
            console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask($"{chosen.Name} grid: {chosen.RunCount} simulations on {parallel} thread(s)", maxValue: chosen.RunCount);
                    outcomes = ExperimentRunner.Run(chosen, parallel, _ => task.Increment(1));
                });
            var wall = started.Elapsed.TotalSeconds;
            var simulated = outcomes.Sum(o => o.Summary.Serving.Duration);
            var comparison = new Comparison(chosen, outcomes);
            ExperimentReport.Write(comparison, folder, "strata " + string.Join(' ', parse.Tokens.Select(t => t.Value)));

            ExperimentTables.Write(console, comparison);
            console.WriteLine($"{outcomes.Count} simulations in {wall:F1} s ({simulated:F0} s of serving, {simulated / Math.Max(wall * parallel, 1e-9):F0}× real time per thread); {comparison.Flags.Count} runs flagged worse than the baseline by more than 2% (see the report).");
            ExperimentTables.WriteLeftOut(console, chosen);
            console.WriteLine($"report: {Path.Combine(folder, ExperimentReport.MarkdownFile)} and {Path.Combine(folder, ExperimentReport.HtmlFile)}");
            return 0;
        });
        return command;
    }

    private static string? TracesOption(DirectoryInfo? traces) => traces switch
    {
        null => null,
        { Exists: true } => traces.FullName,
        _ => throw new CliUsageException($"--traces: '{traces.FullName}' is not a folder; give the folder that holds azure-llm-2023-conv.csv and mooncake-conversation.jsonl, or leave it out for the data/traces Strata ships."),
    };

    private static ExperimentGrid Grid(string name, string? traces) => Checked(() => ExperimentGrids.Create(name, traces), "--grid");

    private static ExperimentGrid Checked(Func<ExperimentGrid> create, string option = "--stacks")
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException($"{option}: {e.Message}");
        }
    }
}
