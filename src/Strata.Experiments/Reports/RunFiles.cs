using System.Globalization;
using Strata.Core.Policies;
using Strata.Experiments.Running;
using Strata.Simulation.Metrics;

namespace Strata.Experiments.Reports;

/// <summary>
/// Each run's raw output beside the report: <c>runs/ID.json</c> (the summary <c>strata
/// simulate --summary-json</c> writes) and <c>runs/ID.yaml</c> (the cluster file with the
/// stack's policies), so <see cref="RerunCommand"/> reproduces the JSON byte for byte.
/// </summary>
public static class RunFiles
{
    public const string Folder = "runs";

    public static void Write(string outputDirectory, RunOutcome outcome)
    {
        var folder = Path.Combine(outputDirectory, Folder);
        Directory.CreateDirectory(folder);
        using (var json = File.Create(Path.Combine(folder, outcome.Run.Id + ".json")))
            SummaryJson.Write(outcome.Summary, json);
        File.WriteAllText(Path.Combine(folder, outcome.Run.Id + ".yaml"), ClusterYaml(outcome));
    }

    /// <summary>The command that reruns one run from the report folder.</summary>
    public static string RerunCommand(RunOutcome outcome)
    {
        var run = outcome.Run;
        var rate = run.Cell.Rate.ToString(CultureInfo.InvariantCulture);
        return $"strata simulate --cluster {Folder}/{run.Id}.yaml --workload {run.Cell.Workload} --rate {rate} " +
               $"--requests {run.Requests} --seed {run.Seed} --summary-json {run.Id}.json";
    }

    private static string ClusterYaml(RunOutcome outcome)
    {
        var stack = outcome.Run.Stack;
        return $"""
            # {RerunCommand(outcome)}
            name: {outcome.Run.Cell.Cluster}
            base: {outcome.Run.Cell.Cluster}
            queue: {Flow("name", stack.Queue)}
            dispatch: {Flow("name", stack.Dispatch)}
            experts: {Flow("planner", stack.Experts)}

            """;
    }

    private static string Flow(string nameKey, PolicyOptions options) =>
        "{" + string.Join(", ", options.Keys.Select(k => $"{k}: {options.GetString(k, "")}").Prepend($"{nameKey}: {options.Name}")) + "}";
}
