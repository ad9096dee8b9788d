namespace Strata.Core.Experts;

/// <summary>
/// One layer's replicas on the ranks, scored by <c>class-balanced</c>'s objective: for each load
/// term k (the mix of all traffic, then each class) with weight a_k, J = Σ_k a_k Σ_r L_kr², where
/// L_kr is the term's load on rank r. With every rank holding the same number of slots and each
/// term's total fixed, a lower J means each term is spread more evenly.
/// </summary>
internal sealed class ClassBalancedLayout
{
    private readonly double[][] _itemLoad;   // [term][item]: the term's load of the item's expert over its replicas
    private readonly double[] _weight;       // [term] a_k
    private readonly double[][] _rankLoad;   // [term][rank]
    private readonly int[] _expert;          // [item]
    private readonly int[] _rank;            // [item]
    private readonly int[] _onRank;          // [rank * experts + expert]: replicas of the expert on the rank
    private readonly int _experts;
    private readonly int _ranks;

    /// <param name="terms">Per-expert loads of each term: the mix first, then one per class.</param>
    /// <param name="weights">Each term's weight a_k.</param>
    /// <param name="replicas">Replicas per expert (summing to the shape's slots).</param>
    /// <param name="start">Slot → expert of a layout to start from (rank <c>slot / SlotsPerRank</c>), holding exactly
    /// <paramref name="replicas"/> of each expert; null places the replicas greedily.</param>
    public ClassBalancedLayout(IReadOnlyList<double[]> terms, IReadOnlyList<double> weights, int[] replicas, PlacementShape shape, int[]? start = null)
    {
        _experts = replicas.Length;
        _ranks = shape.Ranks;
        _expert = Enumerable.Range(0, _experts).SelectMany(e => Enumerable.Repeat(e, replicas[e])).ToArray();
        _itemLoad = terms.Select(term => _expert.Select(e => term[e] / replicas[e]).ToArray()).ToArray();
        _weight = weights.ToArray();
        _rankLoad = terms.Select(_ => new double[_ranks]).ToArray();
        _rank = new int[_expert.Length];
        _onRank = new int[_ranks * _experts];
        if (start is null) PlaceGreedily(shape.SlotsPerRank);
        else PlaceAs(start, shape.SlotsPerRank);
    }

    /// <summary>The objective J of the current layout.</summary>
    public double Objective
    {
        get
        {
            var total = 0.0;
            for (var k = 0; k < _weight.Length; k++)
                foreach (var load in _rankLoad[k]) total += _weight[k] * load * load;
            return total;
        }
    }

    /// <summary>Swaps pairs of replicas on different ranks while a swap lowers J, for at most <paramref name="maxPasses"/> passes over all pairs.</summary>
    public void ImproveBySwaps(int maxPasses)
    {
        for (var pass = 0; pass < maxPasses; pass++)
        {
            var improved = false;
            for (var i = 0; i < _expert.Length; i++)
                for (var j = i + 1; j < _expert.Length; j++)
                {
                    if (!CanSwap(i, j) || SwapChange(i, j) >= -Tolerance) continue;
                    Swap(i, j);
                    improved = true;
                }
            if (!improved) return;
        }
    }

    /// <summary>The best change of J any single allowed swap would make (0 when none lowers it).</summary>
    public double BestSwapChange()
    {
        var best = 0.0;
        for (var i = 0; i < _expert.Length; i++)
            for (var j = i + 1; j < _expert.Length; j++)
                if (CanSwap(i, j)) best = Math.Min(best, SwapChange(i, j));
        return best;
    }

    /// <summary>Physical slot → logical expert, each rank's slots in ascending expert order.</summary>
    public int[] PhysicalToLogical()
    {
        return Enumerable.Range(0, _expert.Length)
            .OrderBy(item => _rank[item]).ThenBy(item => _expert[item])
            .Select(item => _expert[item]).ToArray();
    }

    /// <summary>Changes below this (relative to J's scale of 1 per term) are rounding, not improvement.</summary>
    private const double Tolerance = 1e-12;

    /// <summary>Heaviest replica (by the mix) first, onto the open rank where it raises J least, avoiding a second replica on one rank.</summary>
    private void PlaceGreedily(int slotsPerRank)
    {
        var used = new int[_ranks];
        var order = Enumerable.Range(0, _expert.Length).OrderByDescending(item => _itemLoad[0][item]).ThenBy(item => _expert[item]);
        foreach (var item in order)
        {
            var best = -1;
            var bestCost = double.PositiveInfinity;
            for (var pass = 0; pass < 2 && best < 0; pass++)
                for (var r = 0; r < _ranks; r++)
                {
                    if (used[r] == slotsPerRank || (pass == 0 && _onRank[r * _experts + _expert[item]] > 0)) continue;
                    var cost = 0.0;
                    for (var k = 0; k < _weight.Length; k++)
                        cost += _weight[k] * _itemLoad[k][item] * (2 * _rankLoad[k][r] + _itemLoad[k][item]);
                    if (cost < bestCost) (best, bestCost) = (r, cost);
                }
            used[best]++;
            Put(item, best);
        }
    }

    /// <summary>Each expert's replicas, in item order, onto the ranks of its slots in <paramref name="start"/>, in slot order.</summary>
    private void PlaceAs(int[] start, int slotsPerRank)
    {
        // Items are grouped by expert, so an expert's next free item starts at its first.
        var next = Enumerable.Range(0, _experts).Select(e => Array.IndexOf(_expert, e)).ToArray();
        for (var slot = 0; slot < start.Length; slot++)
        {
            var item = next[start[slot]]++;
            if (item < 0 || item >= _expert.Length || _expert[item] != start[slot])
                throw new ArgumentException($"the start layout holds more replicas of expert {start[slot]} than planned.", nameof(start));
            Put(item, slot / slotsPerRank);
        }
    }

    private void Put(int item, int rank)
    {
        _rank[item] = rank;
        _onRank[rank * _experts + _expert[item]]++;
        for (var k = 0; k < _weight.Length; k++) _rankLoad[k][rank] += _itemLoad[k][item];
    }

    /// <summary>Different ranks, different experts, and neither lands beside another replica of itself.</summary>
    private bool CanSwap(int i, int j)
    {
        int a = _rank[i], b = _rank[j];
        return a != b && _expert[i] != _expert[j]
            && _onRank[b * _experts + _expert[i]] == 0 && _onRank[a * _experts + _expert[j]] == 0;
    }

    /// <summary>ΔJ of swapping i (rank a) and j (rank b): with d = load_j − load_i per term, Σ a_k·2d(L_ka − L_kb + d).</summary>
    private double SwapChange(int i, int j)
    {
        int a = _rank[i], b = _rank[j];
        var change = 0.0;
        for (var k = 0; k < _weight.Length; k++)
        {
            var d = _itemLoad[k][j] - _itemLoad[k][i];
            change += _weight[k] * 2 * d * (_rankLoad[k][a] - _rankLoad[k][b] + d);
        }
        return change;
    }

    private void Swap(int i, int j)
    {
        int a = _rank[i], b = _rank[j];
        _onRank[a * _experts + _expert[i]]--;
        _onRank[b * _experts + _expert[j]]--;
        for (var k = 0; k < _weight.Length; k++)
        {
            _rankLoad[k][a] -= _itemLoad[k][i];
            _rankLoad[k][b] -= _itemLoad[k][j];
        }
        Put(i, b);
        Put(j, a);
    }
}
