using System.CommandLine;
using Spectre.Console;
using Strata.Cli.Output;
using Strata.Simulation.Metrics;

namespace Strata.Cli.Commands;

/// <summary><c>strata simulate</c>: one cluster, one workload, one policy stack → summary table, JSON and CSV.</summary>
internal static class SimulateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var binder = new SimulationOptionsBinder();
        var summaryJson = new Option<FileInfo?>("--summary-json") { Description = "Write the summary JSON (vllm bench serve field names) here." };
        var requestsCsv = new Option<FileInfo?>("--requests-csv") { Description = "Write one CSV row per request here." };
        var command = new Command("simulate", "Simulate one cluster, workload and policy stack; print vllm-bench-style metrics.");
        binder.AddTo(command);
        command.Options.Add(summaryJson);
        command.Options.Add(requestsCsv);
        command.SetAction(parse =>
        {
            var spec = binder.Bind(parse);
            var run = spec.Prepare();
            console.MarkupLineInterpolated($"[grey]{run.Cluster.Name}: {run.Cluster.Model.Name} on {run.Cluster.Gpus}× {run.Cluster.Gpu.Name}, DP{run.Cluster.DataParallel} TP{run.Cluster.TensorParallel}{(run.Cluster.ExpertParallel ? $" EP{run.Cluster.ExpertParallelSize}" : "")}; {run.Workload}[/]");
            var started = System.Diagnostics.Stopwatch.StartNew();
            var result = run.Execute();
            var wall = started.Elapsed.TotalSeconds;
            SummaryTable.Write(console, result.Summary);
            console.MarkupLineInterpolated($"[grey]simulated {result.Summary.Serving.Duration:F1} s of serving in {wall:F2} s of wall time ({result.Summary.Serving.Duration / Math.Max(wall, 1e-9):F0}× real time), {result.Summary.Steps} steps[/]");
            if (parse.GetValue(summaryJson) is { } json)
            {
                using var stream = Create(json);
                SummaryJson.Write(result.Summary, stream);
            }
            if (parse.GetValue(requestsCsv) is { } csv)
            {
                using var writer = new StreamWriter(Create(csv));
                RequestsCsv.Write(result.Records, writer);
            }
            return 0;
        });
        return command;
    }

    private static FileStream Create(FileInfo file)
    {
        file.Directory?.Create();
        return file.Create();
    }
}
