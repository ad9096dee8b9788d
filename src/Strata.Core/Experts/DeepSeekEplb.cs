namespace Strata.Core.Experts;

/// <summary>
/// DeepSeek EPLB (github.com/deepseek-ai/EPLB @ d52c72d, <c>eplb.py</c>, MIT), written from its algorithm
/// description for one MoE layer. Arithmetic is float32 like the reference (which calls
/// <c>weight.float()</c>), and ties follow the deterministic rule that reproduces the reference run with a
/// stable sort: items by descending load, ties to the lower index; lightest non-full pack, ties to the
/// lower pack; next replica to the highest load per replica, ties to the lower expert.
/// Group sums are accumulated in index order; they equal torch's sum whenever loads are token counts
/// below 2^24.
/// </summary>
internal static class DeepSeekEplb
{
    /// <summary>One layer's result: <c>phy2log</c>, the replica rank of every slot, and <c>logcnt</c>.</summary>
    internal readonly record struct LayerPlacement(int[] PhysicalToLogical, int[] ReplicaRank, int[] ReplicaCount);

    /// <summary>
    /// <c>rebalance_experts_hierarchical</c>: groups packed onto nodes, experts replicated inside their
    /// node, replicas packed onto the node's GPUs. The global policy is this with one group and one node.
    /// </summary>
    internal static LayerPlacement Hierarchical(float[] weight, int physicalSlots, int groups, int nodes, int ranks)
    {
        var experts = weight.Length;
        var groupSize = experts / groups;
        var groupsPerNode = groups / nodes;
        var slotsPerRank = physicalSlots / ranks;
        var expertsPerNode = experts / nodes;
        var slotsPerNode = physicalSlots / nodes;

        var groupLoad = new float[groups];
        for (var e = 0; e < experts; e++) groupLoad[e / groupSize] += weight[e];
        var (groupNode, groupRankInNode) = BalancedPacking(groupLoad, nodes);

        // "mlog" numbering: experts relabelled node-major, so node n owns mlog ids [n*E/N, (n+1)*E/N).
        var mlogToLog = new int[experts];
        for (var e = 0; e < experts; e++)
        {
            var group = e / groupSize;
            mlogToLog[((groupNode[group] * groupsPerNode) + groupRankInNode[group]) * groupSize + e % groupSize] = e;
        }

        var phy2log = new int[physicalSlots];
        var replicaRank = new int[physicalSlots];
        var replicaCount = new int[experts];
        for (var node = 0; node < nodes; node++)
        {
            var nodeWeight = new float[expertsPerNode];
            for (var i = 0; i < expertsPerNode; i++) nodeWeight[i] = weight[mlogToLog[node * expertsPerNode + i]];
            var (phyToLocal, phyRank, localCount) = ReplicateExperts(nodeWeight, slotsPerNode);

            var replicaLoad = new float[slotsPerNode];
            for (var p = 0; p < slotsPerNode; p++) replicaLoad[p] = nodeWeight[phyToLocal[p]] / localCount[phyToLocal[p]];
            var (rankInNode, rankInPack) = BalancedPacking(replicaLoad, ranks / nodes);

            for (var p = 0; p < slotsPerNode; p++)
            {
                var slot = node * slotsPerNode + rankInNode[p] * slotsPerRank + rankInPack[p];
                phy2log[slot] = mlogToLog[node * expertsPerNode + phyToLocal[p]];
                replicaRank[slot] = phyRank[p];
            }
            for (var i = 0; i < expertsPerNode; i++) replicaCount[mlogToLog[node * expertsPerNode + i]] = localCount[i];
        }
        return new LayerPlacement(phy2log, replicaRank, replicaCount);
    }

    /// <summary>
    /// <c>balanced_packing</c>: n items into m packs of exactly n/m items each, heaviest item first onto
    /// the lightest pack that still has room (LPT with a cardinality limit). With one item per pack the
    /// reference skips sorting and keeps item i in pack i.
    /// </summary>
    internal static (int[] Pack, int[] RankInPack) BalancedPacking(float[] weight, int packs)
    {
        var items = weight.Length;
        var capacity = items / packs;
        var pack = new int[items];
        var rankInPack = new int[items];
        if (capacity == 1)
        {
            for (var i = 0; i < items; i++) pack[i] = i;
            return (pack, rankInPack);
        }

        var packWeight = new float[packs];
        var packItems = new int[packs];
        foreach (var item in DescendingStable(weight))
        {
            var best = -1;
            for (var p = 0; p < packs; p++)
            {
                if (packItems[p] < capacity && (best < 0 || packWeight[p] < packWeight[best])) best = p;
            }
            pack[item] = best;
            rankInPack[item] = packItems[best]++;
            packWeight[best] += weight[item];
        }
        return (pack, rankInPack);
    }

    /// <summary>
    /// <c>replicate_experts</c>: slots 0..n-1 hold experts 0..n-1; each further slot goes to the expert with
    /// the highest load per replica (D'Hondt apportionment), which minimises the heaviest replica.
    /// Replica ranks count up in creation order.
    /// </summary>
    internal static (int[] PhysicalToLogical, int[] ReplicaRank, int[] ReplicaCount) ReplicateExperts(float[] weight, int slots)
    {
        var experts = weight.Length;
        var phy2log = new int[slots];
        var rank = new int[slots];
        var count = new int[experts];
        for (var e = 0; e < experts; e++) { phy2log[e] = e; count[e] = 1; }
        for (var slot = experts; slot < slots; slot++)
        {
            var best = 0;
            var bestLoad = weight[0] / count[0];
            for (var e = 1; e < experts; e++)
            {
                var perReplica = weight[e] / count[e];
                if (perReplica > bestLoad) { best = e; bestLoad = perReplica; }
            }
            phy2log[slot] = best;
            rank[slot] = count[best]++;
        }
        return (phy2log, rank, count);
    }

    private static int[] DescendingStable(float[] weight)
    {
        var order = Enumerable.Range(0, weight.Length).ToArray();
        Array.Sort(order, (a, b) => weight[a] != weight[b] ? weight[b].CompareTo(weight[a]) : a.CompareTo(b));
        return order;
    }
}
