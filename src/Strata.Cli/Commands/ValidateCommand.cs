using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Strata.Experiments.Validation;
using Strata.Simulation.Validation;
using ValidationRun = Strata.Simulation.Validation.Validation;
using ValidationResult = Strata.Simulation.Validation.ValidationResult;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata validate</c>: replays a recorded vLLM run through the simulator and prints real against simulated
/// TTFT, TPOT and E2E latency, with the error of each (and LLMServingSim's on the same run, where recorded).
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var run = new Option<string>("--run") { Description = "A recorded run's folder (meta.json, requests.jsonl, timeseries.csv; see data/validation) or a `vllm bench serve --save-result --save-detailed` JSON.", Required = true };
        var cluster = new Option<string?>("--cluster") { Description = "Cluster preset or YAML file to replay on (default: the run's engine arguments on the matching profile in data/profiles)." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Write validation.json, queues.svg (running and waiting over time) and ttft-cdf.svg (the TTFT distribution), real against simulated, here." };
        var command = new Command("validate", "Replay a recorded vLLM run through the simulator and compare TTFT, TPOT and E2E latency with what vLLM measured.")
        {
            run, cluster, output,
        };
        command.SetAction(parse =>
        {
            var recorded = RecordedRunReader.Read(parse.GetValue(run)!);
            var config = ReplayCluster.For(recorded, parse.GetValue(cluster));
            console.MarkupLineInterpolated($"[grey]{recorded.Source}: {recorded.Requests.Count} requests; {config.Model.Name} on {config.Gpus}× {config.Gpu.Name}, DP{config.DataParallel} TP{config.TensorParallel}, step model {config.StepModel.Directory ?? config.StepModel.Kind}[/]");
            console.MarkupLineInterpolated($"[grey]{recorded.PromptSource}[/]");
            var started = System.Diagnostics.Stopwatch.StartNew();
            ValidationResult? result = null;
            console.Status().Start("replaying the run…", _ => result = ValidationRun.Run(recorded, config));
            Write(console, result!);
            console.MarkupLineInterpolated($"[grey]simulated {result!.SimulatedSeconds:F1} s of serving in {started.Elapsed.TotalSeconds:F2} s; the prefix cache served {result.PrefixCacheHitRate:P1} of prompt tokens[/]");
            if (parse.GetValue(output) is { } folder)
            {
                ValidationFiles.Write(result, folder.FullName);
                console.MarkupLineInterpolated($"[grey]wrote {Path.Combine(folder.FullName, "validation.json")}, queues.svg and ttft-cdf.svg[/]");
            }
            return 0;
        });
        return command;
    }

    private static void Write(IAnsiConsole console, ValidationResult result)
    {
        var reference = result.Metrics.Any(m => m.ReferenceError is not null);
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("metric");
        table.AddColumn(new TableColumn("vLLM").RightAligned());
        table.AddColumn(new TableColumn("Strata").RightAligned());
        table.AddColumn(new TableColumn("error").RightAligned());
        if (reference) table.AddColumn(new TableColumn("LLMServingSim error").RightAligned());
        foreach (var m in result.Metrics)
        {
            var cells = new List<string> { m.Key, F(m.Real), F(m.Simulated), Percent(m.Error) };
            if (reference) cells.Add(m.ReferenceError is { } r ? Percent(r) : "");
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        console.Write(table);
    }

    private static string F(double ms) => ms.ToString("F1", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%";
}
