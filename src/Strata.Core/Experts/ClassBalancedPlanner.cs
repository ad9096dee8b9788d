namespace Strata.Core.Experts;

/// <summary>
/// <c>class-balanced</c>: Strata's expert planner. A step's tokens come from a handful of requests —
/// one long prefill chunk often fills most of it — and requests of different classes (domains,
/// tenants, tasks) prefer different experts, so a placement that balances only the average traffic
/// (EPLB, <c>balanced</c>) still leaves the ranks uneven in most steps. This planner balances the
/// average and every class's own load at once: per layer it minimises
/// J = Σ_r (L_r / T)² + Σ_c s_c Σ_r (L_cr / T_c)², where L_r is rank r's share of all traffic, L_cr of
/// class c's (totals T, T_c) and s_c the class's share of tokens; a step of any mix of classes is then
/// close to even.
/// <para>Replica counts are D'Hondt on the average load (one replica per rank at most while experts
/// outnumber a rank's slots); replicas are placed heaviest first where they raise J least, then pairs
/// on different ranks are swapped while a swap lowers J (a local optimum: no single swap improves
/// it). Without per-class loads it balances the average alone. Deterministic; per-source loads are not read.</para>
/// <para>Migration: J is the same under any renaming of ranks, and a fresh search lands on a different
/// local optimum after a small change of load, so re-planning from scratch moved about half of every
/// layer at each rebalance. Given the current placement, the swap search instead starts from it
/// whenever its replica counts are the planned ones (always without redundant slots), so a replica
/// moves only as part of a swap that lowers J; the result is a local optimum all the same. When the
/// counts change the fresh layout is used, its ranks renamed (an exact assignment) to keep the most
/// replicas in place. Either way experts that stay on a rank keep their slot.</para>
/// </summary>
public sealed class ClassBalancedPlanner(int maxPasses = ClassBalancedPlanner.DefaultMaxPasses) : IExpertPlanner
{
    public const string PolicyName = "class-balanced";
    public const int DefaultMaxPasses = 100;

    public string Name => PolicyName;

    public ExpertPlacement Plan(ExpertLoad load, PlacementShape shape, ExpertPlacement? current)
    {
        shape.Validate(load.LogicalExperts);
        if (current is not null && (current.Layers != load.Layers || current.LogicalExperts != load.LogicalExperts
                || current.Ranks != shape.Ranks || current.PhysicalSlots != shape.PhysicalSlots))
            throw new ArgumentException($"the current placement ({current.Layers} layers x {current.LogicalExperts} experts, {current.PhysicalSlots} slots on {current.Ranks} ranks) does not match the load and shape ({load.Layers} x {load.LogicalExperts}, {shape.PhysicalSlots} on {shape.Ranks}).", nameof(current));
        var rows = new int[load.Layers][];
        // Layers are independent and the search has no randomness, so the parallel loop is deterministic.
        Parallel.For(0, load.Layers, layer => rows[layer] = PlanLayer(load, layer, shape, maxPasses, current?.PhysicalToLogical(layer).ToArray()));
        return new ExpertPlacement(rows, load.LogicalExperts, shape.Ranks);
    }

    /// <summary>
    /// One layer's row. Without a current placement: the fresh layout. With one whose replica counts are
    /// the planned ones: the swap search started from the current layout, so only replicas whose move
    /// lowers J move. Otherwise: the fresh layout with its ranks renamed to keep the most replicas where
    /// they are (J is unchanged by renaming ranks).
    /// </summary>
    internal static int[] PlanLayer(ExpertLoad load, int layer, PlacementShape shape, int maxPasses, int[]? current)
    {
        var row = Layout(load, layer, shape, maxPasses, current).PhysicalToLogical();
        return current is null ? row : RankRelabelling.Relabel(row, current, shape.Ranks, load.LogicalExperts);
    }

    private static bool SameCounts(int[] row, int[] replicas)
    {
        var count = new int[replicas.Length];
        foreach (var expert in row) count[expert]++;
        return count.AsSpan().SequenceEqual(replicas);
    }

    /// <summary>
    /// The searched layout of one layer from <paramref name="start"/> when it holds the planned replica counts, else from
    /// the greedy placement (its objective and local optimality are what the tests check).
    /// </summary>
    internal static ClassBalancedLayout Layout(ExpertLoad load, int layer, PlacementShape shape, int maxPasses, int[]? start = null)
    {
        var mix = load.PerExpert[layer];
        var all = mix.Sum();
        var terms = new List<double[]> { mix };
        var weights = new List<double> { Weight(1, all) };
        if (load.PerClass is { } perClass && all > 0)
            foreach (var classLoad in perClass[layer])
            {
                var total = classLoad.Sum();
                if (total <= 0) continue;
                terms.Add(classLoad);
                weights.Add(Weight(total / all, total));
            }
        var replicas = ReplicaCounts.DHondt(mix, shape);
        var layout = new ClassBalancedLayout(terms, weights, replicas, shape, start is not null && SameCounts(start, replicas) ? start : null);
        layout.ImproveBySwaps(maxPasses);
        return layout;
    }

    /// <summary>a_k = share / T²: each term counts in shares of its own total, weighted by how much traffic it is.</summary>
    private static double Weight(double share, double total) => total > 0 ? share / (total * total) : 0;
}
