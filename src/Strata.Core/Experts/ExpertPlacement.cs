namespace Strata.Core.Experts;

/// <summary>
/// Where each logical expert of each MoE layer lives: physical slot <c>s</c> of a layer sits on
/// EP rank <c>s / SlotsPerRank</c> and holds logical expert <c>PhysicalToLogical[layer][s]</c>.
/// DeepSeek EPLB's conventions: <c>phy2log</c>, <c>log2phy</c> (replicas in slot order, -1 padded)
/// and <c>logcnt</c> (replicas per logical expert).
/// </summary>
public sealed class ExpertPlacement
{
    private readonly int[][] _physicalToLogical;
    private readonly int[][] _replicaCount;

    public ExpertPlacement(int[][] physicalToLogical, int logicalExperts, int ranks)
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
        LogicalExperts = logicalExperts;
        Ranks = ranks;
        SlotsPerRank = slots / ranks;
    }

    public int Layers => _physicalToLogical.Length;
    public int LogicalExperts { get; }
    public int Ranks { get; }
    public int SlotsPerRank { get; }
    public int PhysicalSlots => SlotsPerRank * Ranks;

    /// <summary><c>phy2log[layer]</c>: the logical expert held by each physical slot.</summary>
    public ReadOnlySpan<int> PhysicalToLogical(int layer) => _physicalToLogical[layer];

    /// <summary><c>logcnt[layer]</c>: how many physical replicas each logical expert has.</summary>
    public ReadOnlySpan<int> ReplicaCount(int layer) => _replicaCount[layer];

    public int RankOfSlot(int slot) => slot / SlotsPerRank;

    /// <summary><c>log2phy[layer]</c>: for each logical expert, its slots in slot order, padded with -1.</summary>
    public int[][] LogicalToPhysical(int layer)
    {
        var maxReplicas = _replicaCount[layer].Max();
        var result = new int[LogicalExperts][];
        var filled = new int[LogicalExperts];
        for (var e = 0; e < LogicalExperts; e++) result[e] = Enumerable.Repeat(-1, maxReplicas).ToArray();
        var row = _physicalToLogical[layer];
        for (var slot = 0; slot < row.Length; slot++) result[row[slot]][filled[row[slot]]++] = slot;
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
