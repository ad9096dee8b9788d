namespace Strata.Core.Experts;

/// <summary>
/// Load statistics an expert planner works from, usually a window of routed-token counts.
/// <list type="bullet">
/// <item><c>PerExpert[layer][expert]</c>: tokens routed to each logical expert (EPLB's <c>weight</c>).</item>
/// <item><c>PerSource[layer][source][expert]</c> (optional): the same split by the DP rank that sent the
/// tokens; source <c>s</c> runs its attention on EP rank <c>s</c> (DP attention + EP experts).</item>
/// <item><c>PerClass[layer][class][expert]</c> (optional): the same split by traffic class (request domain,
/// tenant or task), whose expert preferences differ; a step's tokens come from a few requests, so its
/// mix of classes — and which experts it presses — varies from step to step.</item>
/// <item><c>Transitions[layer][i][j]</c> (optional): how often a token routed to expert <c>i</c> at
/// <c>layer</c> went to expert <c>j</c> at <c>layer + 1</c>, so it has one row fewer than the layers.</item>
/// </list>
/// </summary>
public sealed class ExpertLoad
{
    public ExpertLoad(double[][] perExpert, double[][][]? perSource = null, double[][][]? transitions = null, double[][][]? perClass = null)
    {
        if (perExpert is null || perExpert.Length == 0)
            throw new ArgumentException("expert load: needs at least one layer; pass one row of per-expert loads per MoE layer.", nameof(perExpert));
        var experts = perExpert[0]?.Length ?? 0;
        if (experts == 0)
            throw new ArgumentException("expert load: layer 0 has no experts; pass one load per logical expert.", nameof(perExpert));
        for (var layer = 0; layer < perExpert.Length; layer++)
            CheckRow(perExpert[layer], experts, $"expert load [{layer}]");
        if (perSource is not null) CheckSplit(perSource, perExpert.Length, experts, "per-source load", "sources", "one row per DP rank that sends tokens", nameof(perSource));
        if (perClass is not null) CheckSplit(perClass, perExpert.Length, experts, "per-class load", "classes", "one row per traffic class", nameof(perClass));

        if (transitions is not null)
        {
            if (transitions.Length != perExpert.Length - 1)
                throw new ArgumentException($"transitions has {transitions.Length} layer pairs but {perExpert.Length} layers need {perExpert.Length - 1} (expert i at layer l -> j at l+1).", nameof(transitions));
            for (var layer = 0; layer < transitions.Length; layer++)
            {
                if (transitions[layer] is null || transitions[layer].Length != experts)
                    throw new ArgumentException($"transitions [{layer}] has {transitions[layer]?.Length ?? 0} rows, expected one per logical expert ({experts}).", nameof(transitions));
                for (var i = 0; i < experts; i++)
                    CheckRow(transitions[layer][i], experts, $"transitions [{layer}][{i}]");
            }
        }

        PerExpert = perExpert;
        PerSource = perSource;
        Transitions = transitions;
        PerClass = perClass;
    }

    /// <summary>Builds the per-expert load by summing the per-source load over sources.</summary>
    public static ExpertLoad FromSources(double[][][] perSource, double[][][]? transitions = null, double[][][]? perClass = null)
    {
        ArgumentNullException.ThrowIfNull(perSource);
        var perExpert = perSource.Select(layer =>
        {
            if (layer is null || layer.Length == 0 || layer[0] is null)
                throw new ArgumentException("per-source load: every layer needs at least one source row.", nameof(perSource));
            var sum = new double[layer[0].Length];
            // Ragged rows are summed as far as they reach; the constructor then rejects them by name.
            foreach (var row in layer)
                for (var e = 0; e < Math.Min(sum.Length, row?.Length ?? 0); e++) sum[e] += row![e];
            return sum;
        }).ToArray();
        return new ExpertLoad(perExpert, perSource, transitions, perClass);
    }

    public double[][] PerExpert { get; }
    public double[][][]? PerSource { get; }
    public double[][][]? Transitions { get; }
    public double[][][]? PerClass { get; }

    public int Layers => PerExpert.Length;
    public int LogicalExperts => PerExpert[0].Length;
    public int Sources => PerSource?[0].Length ?? 0;
    public int Classes => PerClass?[0].Length ?? 0;

    /// <summary>A load split by some key (source or class): the same layers, the same split in every layer, one row each.</summary>
    private static void CheckSplit(double[][][] split, int layers, int experts, string what, string parts, string fix, string parameter)
    {
        if (split.Length != layers)
            throw new ArgumentException($"{what} has {split.Length} layers but the per-expert load has {layers}; give both for the same layers.", parameter);
        var count = split[0]?.Length ?? 0;
        if (count == 0)
            throw new ArgumentException($"{what}: layer 0 has no {parts}; give {fix}.", parameter);
        for (var layer = 0; layer < split.Length; layer++)
        {
            if (split[layer] is null || split[layer].Length != count)
                throw new ArgumentException($"{what} [{layer}] has {split[layer]?.Length ?? 0} {parts}, layer 0 has {count}; every layer needs the same {parts}.", parameter);
            for (var part = 0; part < count; part++)
                CheckRow(split[layer][part], experts, $"{what} [{layer}][{part}]");
        }
    }

    private static void CheckRow(double[]? row, int experts, string field)
    {
        if (row is null || row.Length != experts)
            throw new ArgumentException($"{field} has {row?.Length ?? 0} entries, expected {experts} (one per logical expert); the arrays must not be ragged.");
        for (var e = 0; e < row.Length; e++)
        {
            if (!double.IsFinite(row[e]) || row[e] < 0)
                throw new ArgumentException($"{field}[{e}] = {row[e]}; loads must be finite and non-negative (token counts).");
        }
    }
}
