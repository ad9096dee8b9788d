using Strata.Experiments.Stacks;
using Strata.Engine.Cluster;
using Strata.Core.Data;
using CorePolicies = Strata.Core.Policies.Policies;

namespace Strata.Experiments.Grids;

/// <summary>
/// The grids <c>strata experiment --grid</c> knows (the evaluation of Gimbal, arXiv 2602.21626v1): <c>quick</c> for a
/// smoke run; <c>default</c> for the measured testbed, the papers' testbeds by mechanism, and the papers' testbeds at
/// the load their fitted presets reproduce; <c>full</c> adding H100 chat and traces and more seeds; and
/// <c>policies</c>, every queue × dispatch pair (docs/policies.md).
/// </summary>
public static class ExperimentGrids
{
    public static readonly string[] Shapes = ["random", "central", "descending", "two-end", "average"];

    /// <summary>Gimbal P1's rates, on the preset fitted to its baseline's load.</summary>
    public static readonly double[] PaperRates = [1.0, 1.2, 1.4];
    public const double HeadlineRate = 1.4;

    /// <summary>Gimbal P2's rates on its H100 testbed, up to its "high load" of 4 req/s, on the preset fitted to that load.</summary>
    public static readonly double[] FollowUpRates = [2.0, 3.0, 4.0];

    /// <summary>
    /// Rates on the measured-kernel testbed (<c>rtxpro6000-dp2ep2</c>), up to where its vLLM baseline nears saturation
    /// (it serves ~2.3 req/s of the random shape at most; `strata simulate --cluster rtxpro6000-dp2ep2 --rate 3`).
    /// </summary>
    public static readonly double[] MeasuredRates = [2.0, 2.5, 3.0];

    /// <summary>
    /// Rates on P1's testbed by mechanism (<c>gimbal-a100</c>): P1's top rate, at which it is lightly loaded, then toward
    /// and at its baseline's saturation (~4.4 req/s of the random shape served at most; `strata simulate --cluster
    /// gimbal-a100 --rate 6`), the rule the measured testbed's rates follow.
    /// </summary>
    public static readonly double[] A100Rates = [HeadlineRate, 4.0, 5.0];

    /// <summary>
    /// Rates on P2's testbed by mechanism (<c>gimbal-h100</c>): P2's "high load", then 3× and 5× it. Its baseline admits
    /// up to 1,024 sequences per engine, so it queues little even at 20 req/s (random: 116 ms TTFT, 39 ms TPOT).
    /// </summary>
    public static readonly double[] H100Rates = [4.0, 12.0, 20.0];

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
    private static string A100Fitted => ClusterPresets.GimbalA100Fitted.Name;
    private static string H100Fitted => ClusterPresets.GimbalH100Fitted.Name;
    private static string Measured => ClusterPresets.RtxPro6000Dp2Ep2.Name;

    private static ExperimentCell[] FiveShapes(string cluster, params double[] rates) =>
        Shapes.SelectMany(shape => rates.Select(rate => ExperimentCell.Preset(cluster, shape, rate))).ToArray();

    private static IReadOnlyList<ExperimentCell> Headline { get; } = FiveShapes(A100Fitted, HeadlineRate);

    private static IReadOnlyList<ExperimentCell> MeasuredHeadline { get; } = FiveShapes(Measured, MeasuredRates[^1]);

    private static GridSection MeasuredSection(IReadOnlyList<ExperimentCell> cells) => new("Headline: the measured testbed",
        "The one testbed with measured kernels and a simulator checked against real vLLM runs (docs/validation.md). Nothing in its cost model is fitted.", cells);

    private static GridSection PaperA100Section { get; } = new("Gimbal P1's testbed at the paper's load (fitted preset)",
        "The preset whose expert-parallel cost is fitted so vLLM's baseline lands in P1's published range, 3–9× slower than the mechanisms " +
        "predict (docs/calibration.md); P1 reports −17.8% mean TTFT and −13.3% mean TPOT here.", Headline);

    /// <summary>Every stack on the five shapes at their top rate, one seed: seconds, for a first look and a smoke test.</summary>
    private static ExperimentGrid Quick { get; } = new("quick", [.. MeasuredHeadline, .. Headline], PolicyStacks.All, [0], 1000, Headline,
        ["quick grid: one seed and only the headline cells — a first look; `--grid default` has the seeds and rates that make it evidence"])
    {
        Sections = [MeasuredSection(MeasuredHeadline), PaperA100Section],
    };

    /// <summary>
    /// Every request-level × engine-level policy pair (experts contiguous) on the five shapes at the
    /// paper's rates and on the chat workload, three seeds: the comparison behind docs/policies.md.
    /// </summary>
    private static ExperimentGrid Policies
    {
        get
        {
            var cells = FiveShapes(A100Fitted, PaperRates).ToList();
            cells.Add(ExperimentCell.Preset(A100Fitted, "chat", 3.0));
            var stacks = CorePolicies.Queue.Names.SelectMany(queue => CorePolicies.Dispatch.Names.Select(dispatch =>
                queue == "fcfs" && dispatch == "vllm-dp" ? PolicyStacks.Baseline
                    : PolicyStack.Of($"{queue}+{dispatch}", queue, dispatch, "contiguous", $"{queue} queue, {dispatch} dispatch")))
                .OrderBy(s => s != PolicyStacks.Baseline).ToArray();
            return new ExperimentGrid("policies", cells, stacks, [0, 1, 2], 1000, Headline,
                ["policies grid: every queue × dispatch pair, experts left contiguous; tables per workload average the changes over 1.0, 1.2 and 1.4 req/s"])
            {
                Sections = [PaperA100Section],
            };
        }
    }

    private static ExperimentGrid Default(string? traces)
    {
        var measured = FiveShapes(Measured, MeasuredRates);
        var a100 = FiveShapes(A100, A100Rates);
        var h100 = FiveShapes(H100, H100Rates);
        var followUp = FiveShapes(H100Fitted, FollowUpRates);
        var leftOut = new List<string>();
        ExperimentCell[] cells =
        [
            .. measured, .. a100, ExperimentCell.Preset(A100, "chat", 3.0), .. TraceCells(A100, traces, leftOut), .. h100,
            .. FiveShapes(A100Fitted, PaperRates), .. followUp,
        ];
        return new ExperimentGrid("default", cells, PolicyStacks.All, [0, 1, 2], 1000, Headline, [])
        {
            Sections =
            [
                MeasuredSection(measured),
                new("Gimbal P1's testbed by mechanism",
                    "2× A100-80GB over NVLink with the pplx all-to-all P1 ran: the roofline calibrated on published single-A100 runs, NCCL's measured NVLink rate " +
                    "and pplx-kernels' published kernel latency, nothing fitted (docs/calibration.md). At P1's 1.4 req/s it is lightly loaded; 4 and 5 req/s take it to saturation.", a100),
                new("Gimbal P2's testbed by mechanism",
                    "4× H100 SXM over NVLink, DP2 TP2 EP4, the same mechanisms; P2's 4 req/s, then 3× and 5× it.", h100),
                PaperA100Section,
                new("Gimbal P2's testbed at the paper's load (fitted preset)",
                    "The A100 fit carried over to H100, which puts P2's 4 req/s at the edge of saturation (docs/calibration.md); " +
                    "P2 reports −42.9% mean TTFT and −33.3% mean TPOT against vLLM.", followUp),
            ],
            LeftOut = leftOut,
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

    /// <summary>
    /// The Azure conversation trace and Mooncake's conversation trace, re-timed to a rate the cluster serves near its
    /// limit: Mooncake conversations average ~9.5k prompt tokens and 2× A100 serve about 1.5 of them a second
    /// (`strata simulate --cluster gimbal-a100 --workload data/traces/mooncake-conversation.jsonl --rate 2`); the H100
    /// testbed serves about 3.5× as much of the random shape.
    /// </summary>
    private static IEnumerable<ExperimentCell> TraceCells(string cluster, string? traces, List<string> leftOut)
    {
        var scale = cluster == H100 ? 3 : 1;
        (string File, double Rate)[] wanted = [("azure-llm-2023-conv.csv", 9.0 * scale), ("mooncake-conversation.jsonl", 1.0 * scale)];
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
