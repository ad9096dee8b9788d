using Strata.Experiments.Stacks;
using Strata.Engine.Cluster;
using Strata.Core.Data;
using CorePolicies = Strata.Core.Policies.Policies;

namespace Strata.Experiments.Grids;

/// <summary>
/// The grids <c>strata experiment --grid</c> knows (the evaluation of Gimbal, arXiv 2602.21626v1): <c>quick</c> for a
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

    /// <summary>
    /// Rates on the measured-kernel testbed (<c>rtxpro6000-dp2ep2</c>), up to where its vLLM baseline nears saturation
    /// (it serves ~2.3 req/s of the random shape at most; `strata simulate --cluster rtxpro6000-dp2ep2 --rate 3`).
    /// </summary>
    public static readonly double[] MeasuredRates = [2.0, 2.5, 3.0];

    public static IReadOnlyList<string> Names { get; } = ["quick", "default", "full", "policies"];

    /// <summary>
    /// The grid <paramref name="name"/>; its trace cells read <paramref name="tracesDirectory"/>, by default the traces
    /// Strata ships (data/traces). A trace that is not there leaves its cell out, said in <see cref="ExperimentGrid.LeftOut"/>.
    /// </summary>
    public static ExperimentGrid Create(string name, string? tracesDirectory = null) => name switch
    {
        "quick" => Quick,
        "default" => Default(tracesDirectory),
        "full" => Full(tracesDirectory),
        "policies" => Policies,
        _ => throw new ArgumentException($"unknown grid '{name}'; use one of {string.Join(", ", Names)}."),
    };

    private static string A100 => ClusterPresets.GimbalA100.Name;
    private static string H100 => ClusterPresets.GimbalH100.Name;
    private static string Measured => ClusterPresets.RtxPro6000Dp2Ep2.Name;

    private static IReadOnlyList<ExperimentCell> Headline { get; } =
        Shapes.Select(s => ExperimentCell.Preset(A100, s, HeadlineRate)).ToArray();

    /// <summary>The five shapes on the one testbed whose kernels were measured and whose simulator was checked against real vLLM runs.</summary>
    private static IReadOnlyList<ExperimentCell> MeasuredTestbed { get; } =
        Shapes.SelectMany(shape => MeasuredRates.Select(rate => ExperimentCell.Preset(Measured, shape, rate))).ToArray();

    private static IReadOnlyList<ExperimentCell> MeasuredHeadline { get; } =
        Shapes.Select(shape => ExperimentCell.Preset(Measured, shape, MeasuredRates[^1])).ToArray();

    private static IReadOnlyList<ExperimentCell> FollowUp { get; } =
        Shapes.SelectMany(shape => FollowUpRates.Select(rate => ExperimentCell.Preset(H100, shape, rate))).ToArray();

    /// <summary>Every stack on the five shapes at 1.4 req/s, one seed: seconds, for a first look and a smoke test.</summary>
    private static ExperimentGrid Quick { get; } = new("quick", [.. MeasuredHeadline, .. Headline], PolicyStacks.All, [0], 1000, Headline,
        ["quick grid: one seed and only the headline cells — a first look; `--grid default` has the seeds and rates that make it evidence"])
    {
        MeasuredCells = MeasuredHeadline,
    };

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
        var leftOut = new List<string>();
        cells.AddRange(TraceCells(A100, traces, leftOut));
        cells.AddRange(FollowUp);
        cells.AddRange(MeasuredTestbed);
        return new ExperimentGrid("default", cells, PolicyStacks.All, [0, 1, 2], 1000, Headline, [])
        {
            FollowUpCells = FollowUp, MeasuredCells = MeasuredTestbed, LeftOut = leftOut,
        };
    }

    private static ExperimentGrid Full(string? traces)
    {
        var grid = Default(traces);
        var cells = grid.Cells.ToList();
        cells.Add(ExperimentCell.Preset(H100, "chat", 6.0));
        var leftOut = grid.LeftOut.ToList();
        cells.AddRange(TraceCells(H100, traces, leftOut));
        return grid with { Name = "full", Cells = cells, Seeds = [0, 1, 2, 3, 4], LeftOut = leftOut };
    }

    /// <summary>The Azure conversation trace and Mooncake's conversation trace, re-timed to a rate the cluster can serve.</summary>
    private static IEnumerable<ExperimentCell> TraceCells(string cluster, string? traces, List<string> leftOut)
    {
        var scale = cluster == H100 ? 2 : 1;
        // Mooncake conversations average ~9.5k prompt tokens: 2× A100 serve about 0.7 of them a second.
        (string File, double Rate)[] wanted = [("azure-llm-2023-conv.csv", 3.0 * scale), ("mooncake-conversation.jsonl", 0.5 * scale)];
        if ((traces ?? ShippedTraces(leftOut)) is not { } folder) yield break;
        foreach (var (file, rate) in wanted)
        {
            var path = Path.Combine(folder, file);
            if (File.Exists(path)) yield return ExperimentCell.Trace(cluster, path, rate);
            else leftOut.Add($"{file} on {cluster}: {path} not found; give --traces the folder that holds it (Strata ships it in data/traces)");
        }
    }

    private static string? ShippedTraces(List<string> leftOut)
    {
        try
        {
            return DataFolder.Path("traces");
        }
        catch (DataNotFoundException e)
        {
            const string reason = "trace cells: ";
            if (!leftOut.Any(l => l.StartsWith(reason, StringComparison.Ordinal))) leftOut.Add(reason + e.Message);
            return null;
        }
    }
}
