namespace Strata.Core.Experts;

/// <summary>
/// Where each logical expert of each MoE layer lives: physical slot <c>s</c> of a layer sits on
/// EP rank <c>s / SlotsPerRank</c> and holds logical expert <c>PhysicalToLogical[layer][s]</c>.
/// DeepSeek EPLB's conventions: <c>phy2log</c>, <c>log2phy</c> (replicas in slot order, -1 padded)
/// and <c>logcnt</c> (replicas per logical expert).
/// Each slot also carries its replica rank: EPLB numbers an expert's replicas in creation order
/// (rank 0 = its original slot), which is the column order of its own <c>log2phy</c>; placements
/// built without ranks number replicas in slot order.
/// </summary>
public sealed class ExpertPlacement
{
    private readonly int[][] _physicalToLogical;
    private readonly int[][] _replicaCount;
    private readonly int[][] _replicaRank;

    public ExpertPlacement(int[][] physicalToLogical, int logicalExperts, int ranks)
        : this(physicalToLogical, logicalExperts, ranks, replicaRanks: null)
    {
    }

    /// <param name="replicaRanks"><c>[layer][slot]</c>: which replica of its expert a slot holds; for each
    /// expert the ranks of its slots must be 0..logcnt-1. Null numbers replicas in slot order.</param>
    public ExpertPlacement(int[][] physicalToLogical, int logicalExperts, int ranks, int[][]? replicaRanks)
    {
        if (physicalToLogical.Length == 0) throw new ArgumentException("A placement needs at least one layer.", nameof(physicalToLogical));
        if (ranks <= 0) throw new ArgumentOutOfRangeException(nameof(ranks), "ranks must be positive.");
        var slots = physicalToLogical[0].Length;
        if (slots % ranks != 0)
            throw new ArgumentException($"{slots} physical slots do not divide evenly over {ranks} EP ranks.", nameof(physicalToLogical));
        _physicalToLogical = physicalToLogical;
        _replicaCount = new int[physicalToLogical.Length][];
        for (var layer = 0; layer < physicalToLogical.Length; layer++)
        {
            var row = physicalToLogical[layer];
            if (row.Length != slots) throw new ArgumentException($"layer {layer} has {row.Length} slots, layer 0 has {slots}.", nameof(physicalToLogical));
            var counts = new int[logicalExperts];
            foreach (var expert in row)
            {
                if ((uint)expert >= (uint)logicalExperts)
                    throw new ArgumentException($"layer {layer} names logical expert {expert}, outside 0..{logicalExperts - 1}.", nameof(physicalToLogical));
                counts[expert]++;
            }
            if (Array.IndexOf(counts, 0) is var missing and >= 0)
                throw new ArgumentException($"layer {layer} has no slot for logical expert {missing}.", nameof(physicalToLogical));
            _replicaCount[layer] = counts;
        }
        if (replicaRanks is not null && replicaRanks.Length != physicalToLogical.Length)
            throw new ArgumentException($"replicaRanks has {replicaRanks.Length} layers, physicalToLogical has {physicalToLogical.Length}.", nameof(replicaRanks));
        _replicaRank = new int[physicalToLogical.Length][];
        for (var layer = 0; layer < physicalToLogical.Length; layer++)
            _replicaRank[layer] = replicaRanks is null ? SlotOrderRanks(physicalToLogical[layer], logicalExperts) : CheckedRanks(replicaRanks[layer], layer);
        LogicalExperts = logicalExperts;
        Ranks = ranks;
        SlotsPerRank = slots / ranks;
        MaxReplicaCount = _replicaCount.Max(row => row.Max());
    }

    private static int[] SlotOrderRanks(int[] row, int logicalExperts)
    {
        var seen = new int[logicalExperts];
        var ranks = new int[row.Length];
        for (var slot = 0; slot < row.Length; slot++) ranks[slot] = seen[row[slot]]++;
        return ranks;
    }

    private int[] CheckedRanks(int[] ranks, int layer)
    {
        var row = _physicalToLogical[layer];
        if (ranks.Length != row.Length)
            throw new ArgumentException($"replicaRanks layer {layer} has {ranks.Length} slots, physicalToLogical has {row.Length}.", "replicaRanks");
        var taken = new HashSet<(int Expert, int Rank)>();
        for (var slot = 0; slot < row.Length; slot++)
        {
            if ((uint)ranks[slot] >= (uint)_replicaCount[layer][row[slot]] || !taken.Add((row[slot], ranks[slot])))
                throw new ArgumentException($"replicaRanks layer {layer} slot {slot}: replica rank {ranks[slot]} of expert {row[slot]} is repeated or outside 0..{_replicaCount[layer][row[slot]] - 1}.", "replicaRanks");
        }
        return ranks;
    }

    public int Layers => _physicalToLogical.Length;
    public int LogicalExperts { get; }
    public int Ranks { get; }
    public int SlotsPerRank { get; }
    public int PhysicalSlots => SlotsPerRank * Ranks;

    /// <summary>The most replicas any expert has in any layer: the width of every <c>log2phy</c> row.</summary>
    public int MaxReplicaCount { get; }

    /// <summary><c>phy2log[layer]</c>: the logical expert held by each physical slot.</summary>
    public ReadOnlySpan<int> PhysicalToLogical(int layer) => _physicalToLogical[layer];

    /// <summary><c>logcnt[layer]</c>: how many physical replicas each logical expert has.</summary>
    public ReadOnlySpan<int> ReplicaCount(int layer) => _replicaCount[layer];

    /// <summary>Which replica of its logical expert each physical slot holds (0..logcnt-1).</summary>
    public ReadOnlySpan<int> ReplicaRank(int layer) => _replicaRank[layer];

    public int RankOfSlot(int slot) => slot / SlotsPerRank;

    /// <summary>
    /// <c>log2phy[layer]</c>: for each logical expert, its slots in slot order, padded with -1 to
    /// <see cref="MaxReplicaCount"/> (one width for all layers, as EPLB's <c>[L, E, X]</c> tensor).
    /// </summary>
    public int[][] LogicalToPhysical(int layer) => BuildLogicalToPhysical(layer, byReplicaRank: false);

    /// <summary>
    /// <c>log2phy[layer]</c> exactly as DeepSeek EPLB returns it: replica <c>r</c> of an expert in column
    /// <c>r</c> (creation order, not slot order), padded with -1 to <see cref="MaxReplicaCount"/>.
    /// </summary>
    public int[][] LogicalToPhysicalByReplicaRank(int layer) => BuildLogicalToPhysical(layer, byReplicaRank: true);

    private int[][] BuildLogicalToPhysical(int layer, bool byReplicaRank)
    {
        var result = new int[LogicalExperts][];
        var filled = new int[LogicalExperts];
        for (var e = 0; e < LogicalExperts; e++) result[e] = Enumerable.Repeat(-1, MaxReplicaCount).ToArray();
        var row = _physicalToLogical[layer];
        for (var slot = 0; slot < row.Length; slot++)
        {
            var column = byReplicaRank ? _replicaRank[layer][slot] : filled[row[slot]]++;
            result[row[slot]][column] = slot;
        }
        return result;
    }

    /// <summary>
    /// vLLM's placement without EPLB: logical experts in order, <c>experts / ranks</c> per rank.
    /// </summary>
    public static ExpertPlacement Contiguous(int layers, int experts, int ranks)
    {
        if (experts % ranks != 0)
            throw new ArgumentException($"{experts} experts do not divide evenly over {ranks} EP ranks; choose an expert-parallel size that divides the expert count.");
        var rows = new int[layers][];
        for (var layer = 0; layer < layers; layer++) rows[layer] = Enumerable.Range(0, experts).ToArray();
        return new ExpertPlacement(rows, experts, ranks);
    }
}
