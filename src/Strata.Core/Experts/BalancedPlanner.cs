namespace Strata.Core.Experts;

/// <summary>
/// <c>balanced</c>: minimises EPLB's own objective, the heaviest rank's load per layer (an expert's load
/// split evenly over its replicas), jointly over replica counts and placement, where EPLB fixes the
/// counts first (D'Hondt) and packs them afterwards. On the FlashLB instance (vLLM PR #37656) EPLB
/// reaches 232 and this planner the optimum 196.67.
/// <para>Per layer it anneals from two starts, EPLB's placement and an anti-affine LPT packing of
/// D'Hondt counts capped at one replica per rank, polishes both (<see cref="ReplicaLayout.Polish"/>)
/// and keeps the one with the lower max rank load, then fewer co-located replicas. It is never worse
/// than <see cref="EplbPlanner"/> in the same mode: if no candidate beats EPLB's max exactly, EPLB's
/// own result is returned.</para>
/// <para>Replicas of one expert go on distinct ranks: no move creates a co-located pair, and a pair that
/// EPLB made is kept only if no swap or transfer can separate it without raising the max (sometimes
/// co-locating is strictly better; with more slots per rank than experts it is unavoidable).
/// Node locality of expert groups is not kept, so compare with global EPLB on multi-node deployments.
/// The current placement is ignored.</para>
/// </summary>
public sealed class BalancedPlanner(int iterationsPerSlot = BalancedPlanner.DefaultIterationsPerSlot, int seed = 0, EplbMode mode = EplbMode.Auto) : IExpertPlanner
{
    public const string PolicyName = "balanced";
    public const int DefaultIterationsPerSlot = 200;

    private readonly EplbPlanner _eplb = new(mode);

    public string Name => PolicyName;

    public ExpertPlacement Plan(ExpertLoad load, PlacementShape shape, ExpertPlacement? current)
    {
        var reference = _eplb.Plan(load, shape, current);
        var rows = new int[load.Layers][];
        // Layers are independent and each anneals with its own seeded generator, so the parallel loop stays deterministic.
        Parallel.For(0, load.Layers, layer => rows[layer] = PlanLayer(load.PerExpert[layer], reference.PhysicalToLogical(layer).ToArray(), shape, layer));
        var improved = Enumerable.Range(0, load.Layers).Any(layer => !rows[layer].AsSpan().SequenceEqual(reference.PhysicalToLogical(layer)));
        return improved ? new ExpertPlacement(rows, load.LogicalExperts, shape.Ranks) : reference;
    }

    private int[] PlanLayer(double[] weight, int[] eplbRow, PlacementShape shape, int layer)
    {
        // Candidates replace EPLB only on a strictly lower max (exact, summed like PlacementMetrics) or an
        // equal max with fewer co-located replicas, which is what makes "never worse than EPLB" hold.
        var best = new ReplicaLayout(weight, eplbRow, shape.Ranks);
        var starts = new[] { eplbRow, AntiAffinePacking(weight, shape) };
        for (var start = 0; start < starts.Length; start++)
        {
            var candidate = new ReplicaLayout(weight, starts[start], shape.Ranks);
            candidate.Anneal(new SplitMix64(unchecked((ulong)(seed * 1_000_003L + layer * 2 + start))), iterationsPerSlot * shape.PhysicalSlots);
            candidate.Polish();
            if (candidate.MaxLoad < best.MaxLoad || (candidate.MaxLoad == best.MaxLoad && candidate.CoLocated < best.CoLocated))
                best = candidate;
        }
        return best.PhysicalToLogical;
    }

    /// <summary>
    /// D'Hondt replica counts, capped at one replica per rank when every rank can hold distinct experts,
    /// packed heaviest replica first onto the lightest rank with a free slot that does not hold the expert.
    /// </summary>
    private static int[] AntiAffinePacking(double[] weight, PlacementShape shape)
    {
        var experts = weight.Length;
        var count = ReplicaCounts.DHondt(weight, shape);
        var replicas = Enumerable.Range(0, experts).SelectMany(e => Enumerable.Repeat(e, count[e]))
            .OrderByDescending(e => weight[e] / count[e]).ThenBy(e => e).ToArray();
        var rankLoad = new double[shape.Ranks];
        var used = new int[shape.Ranks];
        var holds = new bool[shape.Ranks * experts];
        var row = new int[shape.PhysicalSlots];
        foreach (var expert in replicas)
        {
            var rank = LightestOpenRank(rankLoad, used, shape.SlotsPerRank, r => !holds[r * experts + expert]);
            if (rank < 0) rank = LightestOpenRank(rankLoad, used, shape.SlotsPerRank, _ => true);
            row[rank * shape.SlotsPerRank + used[rank]++] = expert;
            rankLoad[rank] += weight[expert] / count[expert];
            holds[rank * experts + expert] = true;
        }
        return row;
    }

    private static int LightestOpenRank(double[] load, int[] used, int slotsPerRank, Func<int, bool> allowed)
    {
        var best = -1;
        for (var r = 0; r < load.Length; r++)
            if (used[r] < slotsPerRank && allowed(r) && (best < 0 || load[r] < load[best])) best = r;
        return best;
    }
}
