namespace Strata.Core.Experts;

/// <summary>
/// How good a placement is for a load. Every figure assumes what EPLB assumes and vLLM's dispatcher
/// implements: an expert's tokens are split evenly over its replicas.
/// </summary>
public static class PlacementMetrics
{
    /// <summary>Tokens each EP rank computes in one layer: the sum of load/replicas over its slots.</summary>
    public static double[] RankLoads(ExpertPlacement placement, ExpertLoad load, int layer)
    {
        CheckMatch(placement, load);
        var loads = new double[placement.Ranks];
        var row = placement.PhysicalToLogical(layer);
        var count = placement.ReplicaCount(layer);
        var weight = load.PerExpert[layer];
        for (var slot = 0; slot < row.Length; slot++) loads[placement.RankOfSlot(slot)] += weight[row[slot]] / count[row[slot]];
        return loads;
    }

    /// <summary>The heaviest rank's load in one layer: the straggler every MoE layer waits for.</summary>
    public static double MaxRankLoad(ExpertPlacement placement, ExpertLoad load, int layer) =>
        RankLoads(placement, load, layer).Max();

    /// <summary>
    /// Max over mean rank load per layer (1 = perfect; 1 for a layer with no load). This is the inverse of
    /// vLLM's and SGLang's logged "balancedness" (mean/max), so that bigger means worse like TRT-LLM's ratio.
    /// </summary>
    public static double[] Balancedness(ExpertPlacement placement, ExpertLoad load)
    {
        var result = new double[load.Layers];
        for (var layer = 0; layer < load.Layers; layer++)
        {
            var loads = RankLoads(placement, load, layer);
            var mean = loads.Average();
            result[layer] = mean > 0 ? loads.Max() / mean : 1.0;
        }
        return result;
    }

    public static BalanceSummary Summarize(ExpertPlacement placement, ExpertLoad load)
    {
        var perLayer = Balancedness(placement, load);
        return new BalanceSummary(perLayer, perLayer.Average(), perLayer.Max());
    }

    /// <summary>
    /// Tokens that cross ranks, summed over layers: source <c>s</c> (the DP rank on EP rank <c>s</c>) sends
    /// <c>load[s][e] / logcnt[e]</c> to every replica of <c>e</c>, and the share landing on another rank
    /// crosses. Counts each token-expert assignment once (the dispatch; the combine mirrors it).
    /// </summary>
    public static double CrossRankTokens(ExpertPlacement placement, ExpertLoad load)
    {
        CheckMatch(placement, load);
        if (load.PerSource is null)
            throw new ArgumentException("cross-rank traffic needs the per-source load (tokens per layer, source DP rank and expert); record it or skip this metric.");
        if (load.Sources != placement.Ranks)
            throw new ArgumentException($"per-source load has {load.Sources} sources but the placement has {placement.Ranks} EP ranks; with DP attention + EP every rank is one source.");
        var total = 0.0;
        for (var layer = 0; layer < load.Layers; layer++)
        {
            var row = placement.PhysicalToLogical(layer);
            var count = placement.ReplicaCount(layer);
            var bySource = load.PerSource[layer];
            for (var slot = 0; slot < row.Length; slot++)
            {
                var expert = row[slot];
                var rank = placement.RankOfSlot(slot);
                for (var source = 0; source < bySource.Length; source++)
                    if (source != rank) total += bySource[source][expert] / count[expert];
            }
        }
        return total;
    }

    /// <summary>
    /// Expert weights that must be copied onto a rank to go from <paramref name="current"/> to
    /// <paramref name="next"/>, summed over layers: for every layer, rank and logical expert,
    /// <c>max(0, replicas in next - replicas in current)</c> on that rank. A replica that only changes
    /// slot within its rank is a local copy and costs nothing here, like vLLM's rebalance, which copies
    /// locally when the rank already holds the expert and receives over the network otherwise.
    /// </summary>
    public static int ReplicasToLoad(ExpertPlacement current, ExpertPlacement next)
    {
        CheckSameShape(current, next);
        var moved = 0;
        for (var layer = 0; layer < next.Layers; layer++)
        {
            var before = ReplicasPerRank(current, layer);
            var after = ReplicasPerRank(next, layer);
            foreach (var (key, count) in after)
                moved += Math.Max(0, count - before.GetValueOrDefault(key));
        }
        return moved;
    }

    /// <summary>Slots whose logical expert differs between two placements, summed over layers.</summary>
    public static int ChangedSlots(ExpertPlacement current, ExpertPlacement next)
    {
        CheckSameShape(current, next);
        var changed = 0;
        for (var layer = 0; layer < next.Layers; layer++)
        {
            var before = current.PhysicalToLogical(layer);
            var after = next.PhysicalToLogical(layer);
            for (var slot = 0; slot < after.Length; slot++) if (before[slot] != after[slot]) changed++;
        }
        return changed;
    }

    private static Dictionary<(int Rank, int Expert), int> ReplicasPerRank(ExpertPlacement placement, int layer)
    {
        var counts = new Dictionary<(int, int), int>();
        var row = placement.PhysicalToLogical(layer);
        for (var slot = 0; slot < row.Length; slot++)
            counts[(placement.RankOfSlot(slot), row[slot])] = counts.GetValueOrDefault((placement.RankOfSlot(slot), row[slot])) + 1;
        return counts;
    }

    private static void CheckMatch(ExpertPlacement placement, ExpertLoad load)
    {
        if (placement.Layers != load.Layers || placement.LogicalExperts != load.LogicalExperts)
            throw new ArgumentException($"the placement covers {placement.Layers} layers x {placement.LogicalExperts} experts but the load {load.Layers} x {load.LogicalExperts}; measure a placement with the load it was planned for.");
    }

    private static void CheckSameShape(ExpertPlacement current, ExpertPlacement next)
    {
        if (current.Layers != next.Layers || current.PhysicalSlots != next.PhysicalSlots || current.Ranks != next.Ranks)
            throw new ArgumentException($"cannot compare a placement of {current.Layers} layers x {current.PhysicalSlots} slots on {current.Ranks} ranks with one of {next.Layers} x {next.PhysicalSlots} on {next.Ranks}; migration is defined between placements of the same shape.");
    }
}

/// <summary>Max/mean rank load per layer, with its mean and worst layer.</summary>
public sealed record BalanceSummary(double[] PerLayer, double Mean, double Worst);
