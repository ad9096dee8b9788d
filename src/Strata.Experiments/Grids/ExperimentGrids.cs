using Strata.Experiments.Stacks;
using Strata.Simulation.Cluster;
using CorePolicies = Strata.Core.Policies.Policies;

namespace Strata.Experiments.Grids;

/// <summary>
/// The grids <c>strata experiment --grid</c> knows (research/paper.md §3): <c>quick</c> for a
/// smoke run, <c>default</c> for the first paper's A100 evaluation and the follow-up's H100 shapes,
/// <c>full</c> adding H100 chat and traces and more seeds, and <c>policies</c>, every queue × dispatch
/// pair (docs/policies.md).
/// </summary>
public static class ExperimentGrids
{
    public static readonly string[] Shapes = ["random", "central", "descending", "two-end", "average"];
    public static readonly double[] PaperRates = [1.0, 1.2, 1.4];
    public const double HeadlineRate = 1.4;

    /// <summary>Beyond the paper's rates, toward and past the A100 baseline's saturation (~1.25 req/s served).</summary>
    public static readonly double[] SaturationRates = [1.6, 2.0];

    /// <summary>Gimbal P2's rates on its H100 testbed, up to its "high load" of 4 req/s.</summary>
    public static readonly double[] FollowUpRates = [2.0, 3.0, 4.0];

    public static IReadOnlyList<string> Names { get; } = ["quick", "default", "full", "policies"];

    public static ExperimentGrid Create(string name, string? tracesDirectory) => name switch
    {
        "quick" => Quick,
        "default" => Default(tracesDirectory),
        "full" => Full(tracesDirectory),
        "policies" => Policies,
        _ => throw new ArgumentException($"unknown grid '{name}'; use one of {string.Join(", ", Names)}."),
    };

    private static string A100 => ClusterPresets.GimbalA100.Name;
    private static string H100 => ClusterPresets.GimbalH100.Name;

    private static IReadOnlyList<ExperimentCell> Headline { get; } =
        Shapes.Select(s => ExperimentCell.Preset(A100, s, HeadlineRate)).ToArray();

    private static IReadOnlyList<ExperimentCell> FollowUp { get; } =
        Shapes.SelectMany(shape => FollowUpRates.Select(rate => ExperimentCell.Preset(H100, shape, rate))).ToArray();

    /// <summary>Every stack on the five shapes at 1.4 req/s, one seed: seconds, for a first look and a smoke test.</summary>
    private static ExperimentGrid Quick { get; } = new("quick", Headline, PolicyStacks.All, [0], 1000, Headline,
        ["quick grid: one seed and only the headline cells — a first look; `--grid default` has the seeds and rates that make it evidence"]);

    /// <summary>
    /// Every request-level × engine-level policy pair (experts contiguous) on the five shapes at the
    /// paper's rates and on the chat workload, three seeds: the comparison behind docs/policies.md.
    /// </summary>
    private static ExperimentGrid Policies
    {
        get
        {
            var cells = Shapes.SelectMany(shape => PaperRates.Select(rate => ExperimentCell.Preset(A100, shape, rate))).ToList();
            cells.Add(ExperimentCell.Preset(A100, "chat", 3.0));
            var stacks = CorePolicies.Queue.Names.SelectMany(queue => CorePolicies.Dispatch.Names.Select(dispatch =>
                queue == "fcfs" && dispatch == "vllm-dp" ? PolicyStacks.Baseline
                    : PolicyStack.Of($"{queue}+{dispatch}", queue, dispatch, "contiguous", $"{queue} queue, {dispatch} dispatch")))
                .OrderBy(s => s != PolicyStacks.Baseline).ToArray();
            return new ExperimentGrid("policies", cells, stacks, [0, 1, 2], 1000, Headline,
                ["policies grid: every queue × dispatch pair, experts left contiguous; tables per workload average the changes over 1.0, 1.2 and 1.4 req/s"]);
        }
    }

    private static ExperimentGrid Default(string? traces)
    {
        var cells = new List<ExperimentCell>();
        foreach (var shape in Shapes)
            cells.AddRange(PaperRates.Concat(SaturationRates).Select(rate => ExperimentCell.Preset(A100, shape, rate)));
        cells.Add(ExperimentCell.Preset(A100, "chat", 3.0));
        var notes = new List<string>();
        cells.AddRange(TraceCells(A100, traces, notes));
        cells.AddRange(FollowUp);
        return new ExperimentGrid("default", cells, PolicyStacks.All, [0, 1, 2], 1000, Headline, notes) { FollowUpCells = FollowUp };
    }

    private static ExperimentGrid Full(string? traces)
    {
        var grid = Default(traces);
        var cells = grid.Cells.ToList();
        cells.Add(ExperimentCell.Preset(H100, "chat", 6.0));
        var notes = grid.Notes.ToList();
        cells.AddRange(TraceCells(H100, traces, notes));
        return grid with { Name = "full", Cells = cells, Seeds = [0, 1, 2, 3, 4], Notes = notes };
    }

    /// <summary>The Azure conversation trace and Mooncake's conversation trace, re-timed to a rate the cluster can serve.</summary>
    private static IEnumerable<ExperimentCell> TraceCells(string cluster, string? traces, List<string> notes)
    {
        if (traces is null)
        {
            if (!notes.Contains(MissingTraces)) notes.Add(MissingTraces);
            yield break;
        }
        var scale = cluster == H100 ? 2 : 1;
        yield return ExperimentCell.Trace(cluster, Path.Combine(traces, "azure-llm-2023-conv.csv"), 3.0 * scale);
        // Mooncake conversations average ~9.5k prompt tokens: 2× A100 serve about 0.7 of them a second.
        yield return ExperimentCell.Trace(cluster, Path.Combine(traces, "mooncake-conversation.jsonl"), 0.5 * scale);
    }

    private const string MissingTraces = "traces not found (looked for shared/data/traces beside the checkout): trace cells skipped";
}
