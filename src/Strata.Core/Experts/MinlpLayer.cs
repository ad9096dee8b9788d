namespace Strata.Core.Experts;

/// <summary>
/// One MoE layer of the <c>gimbal-minlp</c> problem, with every input pre-scaled so that a placement row
/// (<c>phy2log</c> of the layer) is priced by <see cref="Terms"/> and, for a solver, by three linear
/// coefficients: <see cref="LoadScale"/> per token on the heaviest rank, <see cref="TrafficScale"/> per
/// crossing token and <see cref="MigrationScale"/> per newly loaded replica.
/// </summary>
public sealed class MinlpLayer
{
    private readonly double[] _weight;
    private readonly double[]? _cross;
    private readonly int[]? _resident;

    private MinlpLayer(double[] weight, double[]? cross, int[]? resident, int ranks, int slotsPerRank, MinlpObjective objective)
    {
        _weight = weight;
        _cross = cross;
        _resident = resident;
        Ranks = ranks;
        SlotsPerRank = slotsPerRank;
        Objective = objective;
        var total = weight.Sum();
        TotalTokens = total;
        LoadScale = total > 0 ? objective.Alpha * ranks / total : 0;
        TrafficScale = total > 0 && cross is not null ? objective.Beta / total : 0;
        MigrationScale = resident is not null ? objective.Gamma / (ranks * slotsPerRank) : 0;
    }

    /// <summary>
    /// The layer's problem. Cross-rank traffic needs the per-source load with one source per EP rank
    /// (DP attention + EP experts); without it the traffic term is 0. Without a current placement nothing
    /// is resident and the migration term is 0: there is nothing to migrate from.
    /// </summary>
    public static MinlpLayer Create(ExpertLoad load, int ranks, int slotsPerRank, ExpertPlacement? current, int layer, MinlpObjective objective)
    {
        var experts = load.LogicalExperts;
        double[]? cross = null;
        if (load.PerSource is not null)
        {
            if (load.Sources != ranks)
                throw new ArgumentException($"per-source load has {load.Sources} sources but the placement has {ranks} EP ranks; with DP attention + EP every rank is one source, so record one source per rank.");
            // cross[e * ranks + r]: tokens for e sent by every source except the one running on rank r.
            cross = new double[experts * ranks];
            var bySource = load.PerSource[layer];
            for (var e = 0; e < experts; e++)
            {
                var sum = 0.0;
                for (var s = 0; s < ranks; s++) sum += bySource[s][e];
                for (var r = 0; r < ranks; r++) cross[e * ranks + r] = sum - bySource[r][e];
            }
        }
        int[]? resident = null;
        if (current is not null)
        {
            if (current.Ranks != ranks || current.SlotsPerRank != slotsPerRank || current.LogicalExperts != experts || current.Layers != load.Layers)
                throw new ArgumentException($"the current placement ({current.Layers} layers, {current.LogicalExperts} experts, {current.Ranks} ranks x {current.SlotsPerRank} slots) does not match the load and shape ({load.Layers} layers, {experts} experts, {ranks} ranks x {slotsPerRank} slots); pass the placement in use for this model and cluster, or none.");
            resident = new int[ranks * experts];
            var row = current.PhysicalToLogical(layer);
            for (var slot = 0; slot < row.Length; slot++) resident[current.RankOfSlot(slot) * experts + row[slot]]++;
        }
        return new MinlpLayer(load.PerExpert[layer], cross, resident, ranks, slotsPerRank, objective);
    }

    public int Experts => _weight.Length;
    public int Ranks { get; }
    public int SlotsPerRank { get; }
    public int Slots => Ranks * SlotsPerRank;
    public MinlpObjective Objective { get; }
    public double TotalTokens { get; }

    /// <summary>Objective per token on the heaviest rank: α / mean rank load.</summary>
    public double LoadScale { get; }

    /// <summary>Objective per token that crosses ranks: β / total tokens (0 without per-source load).</summary>
    public double TrafficScale { get; }

    /// <summary>Objective per replica newly loaded onto a rank: γ / slots (0 without a current placement).</summary>
    public double MigrationScale { get; }

    /// <summary>Whether a current placement is known, so that <see cref="Resident"/> means something.</summary>
    public bool HasCurrent => _resident is not null;

    public double Weight(int expert) => _weight[expert];

    /// <summary>Tokens for <paramref name="expert"/> whose source is not the DP rank on <paramref name="rank"/>.</summary>
    public double CrossTokens(int expert, int rank) => _cross?[expert * Ranks + rank] ?? 0;

    /// <summary>Replicas of <paramref name="expert"/> the current placement keeps on <paramref name="rank"/>.</summary>
    public int Resident(int rank, int expert) => _resident?[rank * Experts + expert] ?? 0;

    /// <summary>
    /// Prices one placement row: <c>C_load</c> = max rank load / mean rank load, <c>C_comm</c> = tokens served
    /// on a rank other than their source's / total tokens, <c>C_mig</c> = Σ over (rank, expert) of
    /// max(0, replicas now − replicas before) / slots. An expert's tokens, and each source's share of them,
    /// are split evenly over its replicas (EPLB's and vLLM's assumption).
    /// </summary>
    public MinlpTerms Terms(ReadOnlySpan<int> physicalToLogical)
    {
        if (physicalToLogical.Length != Slots)
            throw new ArgumentException($"a placement row has {physicalToLogical.Length} slots but the layer has {Ranks} ranks x {SlotsPerRank} slots.", nameof(physicalToLogical));
        var count = new int[Experts];
        foreach (var expert in physicalToLogical) count[expert]++;
        var rankLoad = new double[Ranks];
        var onRank = new int[Ranks * Experts];
        var crossing = 0.0;
        for (var slot = 0; slot < physicalToLogical.Length; slot++)
        {
            int expert = physicalToLogical[slot], rank = slot / SlotsPerRank;
            rankLoad[rank] += _weight[expert] / count[expert];
            crossing += CrossTokens(expert, rank) / count[expert];
            onRank[rank * Experts + expert]++;
        }
        var loaded = 0;
        if (_resident is not null)
            for (var i = 0; i < onRank.Length; i++) loaded += Math.Max(0, onRank[i] - _resident[i]);

        var loadTerm = TotalTokens > 0 ? rankLoad.Max() * Ranks / TotalTokens : 0;
        var trafficTerm = TotalTokens > 0 && _cross is not null ? crossing / TotalTokens : 0;
        var migrationTerm = _resident is not null ? (double)loaded / Slots : 0;
        var total = Objective.Alpha * loadTerm + Objective.Beta * trafficTerm + Objective.Gamma * migrationTerm;
        return new MinlpTerms(loadTerm, trafficTerm, migrationTerm, total);
    }
}
