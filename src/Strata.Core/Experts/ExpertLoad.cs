namespace Strata.Core.Experts;

/// <summary>
/// Load statistics an expert planner works from, usually a window of routed-token counts.
/// <list type="bullet">
/// <item><c>PerExpert[layer][expert]</c>: tokens routed to each logical expert (EPLB's <c>weight</c>).</item>
/// <item><c>PerSource[layer][source][expert]</c> (optional): the same split by the DP rank that sent the
/// tokens; source <c>s</c> runs its attention on EP rank <c>s</c> (DP attention + EP experts).</item>
/// <item><c>Transitions[layer][i][j]</c> (optional): how often a token routed to expert <c>i</c> at
/// <c>layer</c> went to expert <c>j</c> at <c>layer + 1</c>, so it has one row fewer than the layers.</item>
/// </list>
/// </summary>
public sealed class ExpertLoad
{
    public ExpertLoad(double[][] perExpert, double[][][]? perSource = null, double[][][]? transitions = null)
    {
        if (perExpert is null || perExpert.Length == 0)
            throw new ArgumentException("expert load: needs at least one layer; pass one row of per-expert loads per MoE layer.", nameof(perExpert));
        var experts = perExpert[0]?.Length ?? 0;
        if (experts == 0)
            throw new ArgumentException("expert load: layer 0 has no experts; pass one load per logical expert.", nameof(perExpert));
        for (var layer = 0; layer < perExpert.Length; layer++)
            CheckRow(perExpert[layer], experts, $"expert load [{layer}]");

        if (perSource is not null)
        {
            if (perSource.Length != perExpert.Length)
                throw new ArgumentException($"per-source load has {perSource.Length} layers but the per-expert load has {perExpert.Length}; give both for the same layers.", nameof(perSource));
            var sources = perSource[0]?.Length ?? 0;
            if (sources == 0)
                throw new ArgumentException("per-source load: layer 0 has no sources; give one row per DP rank that sends tokens.", nameof(perSource));
            for (var layer = 0; layer < perSource.Length; layer++)
            {
                if (perSource[layer] is null || perSource[layer].Length != sources)
                    throw new ArgumentException($"per-source load [{layer}] has {perSource[layer]?.Length ?? 0} sources, layer 0 has {sources}; every layer needs the same sources.", nameof(perSource));
                for (var source = 0; source < sources; source++)
                    CheckRow(perSource[layer][source], experts, $"per-source load [{layer}][{source}]");
            }
        }

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
    }

    /// <summary>Builds the per-expert load by summing the per-source load over sources.</summary>
    public static ExpertLoad FromSources(double[][][] perSource, double[][][]? transitions = null)
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
        return new ExpertLoad(perExpert, perSource, transitions);
    }

    public double[][] PerExpert { get; }
    public double[][][]? PerSource { get; }
    public double[][][]? Transitions { get; }

    public int Layers => PerExpert.Length;
    public int LogicalExperts => PerExpert[0].Length;
    public int Sources => PerSource?[0].Length ?? 0;

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
