using System.CommandLine;
using Spectre.Console;
using Strata.Core.Policies;
using Strata.Simulation.Runs;
using Strata.Simulation.Workloads;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata experiment</c>: the baseline comparison on the built-in default — every prompt-length
/// shape of the Gimbal paper on <c>gimbal-a100</c>, vLLM's own dispatch against round-robin.
/// </summary>
internal static class ExperimentCommand
{
    private static readonly string[] Shapes = ["random", "central", "descending", "two-end", "average"];
    private static readonly string[] Dispatchers = ["vllm-dp", "round-robin"];

    public static Command Create(IAnsiConsole console)
    {
        var cluster = new Option<string>("--cluster") { Description = "Cluster preset or YAML file.", DefaultValueFactory = _ => "gimbal-a100" };
        var rate = new Option<double>("--rate") { Description = "Requests per second.", DefaultValueFactory = _ => WorkloadCatalog.DefaultRate };
        var requests = new Option<int>("--requests") { Description = "Requests per run.", DefaultValueFactory = _ => WorkloadCatalog.DefaultRequests };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "Seed of every run." };
        var command = new Command("experiment", "Compare policy stacks over the Gimbal workload shapes in the simulator.") { cluster, rate, requests, seed };
        command.SetAction(parse =>
        {
            var runs = (from shape in Shapes
                        from dispatch in Dispatchers
                        select new RunSpec
                        {
                            Cluster = parse.GetValue(cluster)!, Workload = shape, Rate = parse.GetValue(rate),
                            Requests = parse.GetValue(requests), Seed = parse.GetValue(seed),
                            Queue = new PolicyOptions("fcfs", section: "queue"), Dispatch = new PolicyOptions(dispatch, section: "dispatch"),
                        }.Prepare()).ToArray();

            var table = new Table().Border(TableBorder.Simple).Title("fcfs + vllm-dp (vLLM baseline) vs fcfs + round-robin");
            foreach (var column in new[] { "shape", "dispatch", "mean TTFT ms", "p99 TTFT ms", "mean TPOT ms", "req/s", "preemptions" })
                table.AddColumn(new TableColumn(column).RightAligned());
            console.Progress().AutoClear(true).Start(progress =>
            {
                var task = progress.AddTask("simulating", maxValue: runs.Length);
                foreach (var run in runs)
                {
                    var s = run.Execute().Summary;
                    table.AddRow(s.Run.Workload, s.Run.Dispatch, s.TtftMs.Mean.ToString("F1"), s.TtftMs.P99.ToString("F1"),
                        s.TpotMs.Mean.ToString("F2"), s.RequestThroughput.ToString("F3"), s.Preemptions.ToString());
                    task.Increment(1);
                }
            });
            console.Write(table);
            return 0;
        });
        return command;
    }
}
