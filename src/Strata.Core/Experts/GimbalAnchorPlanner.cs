namespace Strata.Core.Experts;

/// <summary>
/// <c>gimbal-anchor</c>: Expert Dynamic Replacement, Algorithm 3 of Gimbal (arXiv 2602.21626, §V):
/// experts linked by strong inter-layer affinity are pinned to one fixed anchor GPU, so dependent
/// experts never migrate; all other experts go, heaviest first, to the least-loaded GPU.
/// <para>Affinity set: for each layer pair (l, l+1), the transition pairs (i at l, j at l+1) with a count
/// of at least <c>minTransitions</c> (and above zero), strongest first (ties: lower i, then lower j); at
/// most <c>topPairs</c> are admitted per layer pair. Without transition counts nothing is pinned and
/// the planner is plain greedy least-loaded (LPT) packing.</para>
/// <para>Capacity rule (the paper only says "tighten the threshold or reduce top-E" when the anchor is
/// full): the anchor holds at most slots-per-GPU experts per layer, and a pair that would overflow it in
/// either of its two layers is skipped whole, never split.</para>
/// <para>Greedy step: each remaining replica, by descending load per replica (ties: lower expert), goes
/// to the GPU with the least load so far that has a free slot (ties: lower GPU), preferring GPUs that
/// do not hold that expert yet; the anchor takes part with its pinned load. Redundant slots, which the
/// paper does not use, are given to experts by D'Hondt (as EPLB does) before packing.
/// The current placement is ignored: stability comes from the fixed anchor, as in the paper.</para>
/// </summary>
public sealed class GimbalAnchorPlanner(int anchor = 0, int topPairs = GimbalAnchorPlanner.DefaultTopPairs, double minTransitions = 0) : IExpertPlanner
{
    public const string PolicyName = "gimbal-anchor";
    public const int DefaultTopPairs = 8;

    public string Name => PolicyName;

    public bool ReadsTransitions => true;

    public ExpertPlacement Plan(ExpertLoad load, PlacementShape shape, ExpertPlacement? current)
    {
        shape.Validate(load.LogicalExperts);
        if (anchor >= shape.Ranks)
            throw new ArgumentException($"anchor GPU {anchor} does not exist on {shape.Ranks} ranks; choose an anchor in 0..{shape.Ranks - 1}.");
        var pinned = PinnedExperts(load, shape.SlotsPerRank);
        var rows = new int[load.Layers][];
        for (var layer = 0; layer < load.Layers; layer++)
            rows[layer] = PlaceLayer(load.PerExpert[layer], pinned[layer], shape);
        return new ExpertPlacement(rows, load.LogicalExperts, shape.Ranks);
    }

    /// <summary>Per layer, the affinity-linked experts that go on the anchor, in admission order.</summary>
    private List<int>[] PinnedExperts(ExpertLoad load, int capacity)
    {
        var pinned = Enumerable.Range(0, load.Layers).Select(_ => new List<int>()).ToArray();
        if (load.Transitions is null) return pinned;
        var experts = load.LogicalExperts;
        // Strongest first, taken one at a time: only a few are admitted, so a heap beats sorting every pair.
        var linked = new List<((int From, int To), (double Count, int From, int To))>();
        var pairs = new PriorityQueue<(int From, int To), (double Count, int From, int To)>(StrongestFirst);
        for (var layer = 0; layer < load.Transitions.Length; layer++)
        {
            var counts = load.Transitions[layer];
            linked.Clear();
            for (var from = 0; from < experts; from++)
                for (var to = 0; to < experts; to++)
                    if (counts[from][to] > 0 && counts[from][to] >= minTransitions)
                        linked.Add(((from, to), (counts[from][to], from, to)));
            pairs.Clear();
            pairs.EnqueueRange(linked);
            var admitted = 0;
            while (admitted < topPairs && pairs.TryDequeue(out var pair, out _))
            {
                var (from, to) = pair;
                if (!Fits(pinned[layer], from, capacity) || !Fits(pinned[layer + 1], to, capacity)) continue;
                if (!pinned[layer].Contains(from)) pinned[layer].Add(from);
                if (!pinned[layer + 1].Contains(to)) pinned[layer + 1].Add(to);
                admitted++;
            }
        }
        return pinned;
    }

    /// <summary>Descending count; ties by lower <c>i</c>, then lower <c>j</c>.</summary>
    private static readonly Comparer<(double Count, int From, int To)> StrongestFirst = Comparer<(double Count, int From, int To)>.Create((a, b) =>
        b.Count.CompareTo(a.Count) is var byCount and not 0 ? byCount : a.From != b.From ? a.From.CompareTo(b.From) : a.To.CompareTo(b.To));

    private static bool Fits(List<int> pinned, int expert, int capacity) =>
        pinned.Contains(expert) || pinned.Count < capacity;

    private int[] PlaceLayer(double[] weight, List<int> pinned, PlacementShape shape)
    {
        var count = ReplicaCounts(weight, shape.PhysicalSlots);
        var slots = Enumerable.Range(0, shape.Ranks).Select(_ => new List<int>()).ToArray();
        var rankLoad = new double[shape.Ranks];
        foreach (var expert in pinned)
        {
            slots[anchor].Add(expert);
            rankLoad[anchor] += weight[expert] / count[expert];
        }
        var remaining = Enumerable.Range(0, weight.Length)
            .SelectMany(e => Enumerable.Repeat(e, count[e] - (pinned.Contains(e) ? 1 : 0)))
            .OrderByDescending(e => weight[e] / count[e]).ThenBy(e => e);
        foreach (var expert in remaining)
        {
            var rank = LeastLoaded(rankLoad, slots, shape.SlotsPerRank, expert, avoidHolders: true);
            if (rank < 0) rank = LeastLoaded(rankLoad, slots, shape.SlotsPerRank, expert, avoidHolders: false);
            slots[rank].Add(expert);
            rankLoad[rank] += weight[expert] / count[expert];
        }
        return slots.SelectMany(s => s).ToArray();
    }

    private static int LeastLoaded(double[] rankLoad, List<int>[] slots, int slotsPerRank, int expert, bool avoidHolders)
    {
        var best = -1;
        for (var r = 0; r < rankLoad.Length; r++)
        {
            if (slots[r].Count >= slotsPerRank || (avoidHolders && slots[r].Contains(expert))) continue;
            if (best < 0 || rankLoad[r] < rankLoad[best]) best = r;
        }
        return best;
    }

    private static int[] ReplicaCounts(double[] weight, int slots)
    {
        var count = Enumerable.Repeat(1, weight.Length).ToArray();
        for (var slot = weight.Length; slot < slots; slot++)
        {
            var best = 0;
            for (var e = 1; e < weight.Length; e++) if (weight[e] / count[e] > weight[best] / count[best]) best = e;
            count[best]++;
        }
        return count;
    }
}
