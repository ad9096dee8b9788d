namespace Strata.Core.Experts;

/// <summary>
/// One layer's slots as a mutable search state for <see cref="BalancedPlanner"/>: which expert each slot
/// holds, replicas per expert and per (rank, expert), and each rank's load (sum of load/replicas over its
/// slots). Two moves change it: a <em>swap</em> of two slots on different ranks, and a <em>transfer</em>
/// that hands a slot from an expert with spare replicas to another expert, which changes the replica
/// count, and so the per-replica load, of both.
/// No move ever puts a second replica of an expert on a rank that already holds one.
/// <para>A move changes the loads of the ranks holding the experts it touches only, so every delta is
/// computed over <see cref="_ranksOf"/> (an expert's few replicas) rather than over all ranks, and the
/// co-located count is kept as a running total: both run tens of millions of times per plan.</para>
/// </summary>
internal sealed class ReplicaLayout
{
    private readonly double[] _weight;
    private readonly int _ranks;
    private readonly int _slotsPerRank;
    private readonly int _experts;
    private readonly int[] _expertOfSlot;
    private readonly int[] _count;
    private readonly int[] _onRank;
    private readonly double[] _load;
    private readonly double[] _scratch;
    private readonly List<int>[] _ranksOf;
    private readonly int[] _touchedStamp;
    private readonly List<int> _touched;
    private int _stamp;
    private int _coLocated;

    public ReplicaLayout(double[] weight, int[] physicalToLogical, int ranks)
    {
        _weight = weight;
        _ranks = ranks;
        _experts = weight.Length;
        _slotsPerRank = physicalToLogical.Length / ranks;
        _expertOfSlot = (int[])physicalToLogical.Clone();
        _count = new int[_experts];
        _onRank = new int[ranks * _experts];
        _load = new double[ranks];
        _scratch = new double[ranks];
        _ranksOf = new List<int>[_experts];
        for (var e = 0; e < _experts; e++) _ranksOf[e] = [];
        _touchedStamp = new int[ranks];
        _touched = new List<int>(ranks);
        Rebuild();
    }

    public int[] PhysicalToLogical => (int[])_expertOfSlot.Clone();

    public double MaxLoad => _load[HeaviestRank()];

    /// <summary>Replicas beyond the first of an expert on one rank, summed over ranks and experts.</summary>
    public int CoLocated => _coLocated;

    private int Slots => _expertOfSlot.Length;

    private int Rank(int slot) => slot / _slotsPerRank;

    private int OnRank(int rank, int expert) => _onRank[rank * _experts + expert];

    private double Piece(int expert, int count) => _weight[expert] / count;

    /// <summary>Counts, replica ranks and loads from <see cref="_expertOfSlot"/> alone.</summary>
    private void Rebuild()
    {
        Array.Clear(_count);
        Array.Clear(_onRank);
        _coLocated = 0;
        foreach (var ranks in _ranksOf) ranks.Clear();
        for (var slot = 0; slot < Slots; slot++)
        {
            _count[_expertOfSlot[slot]]++;
            Add(Rank(slot), _expertOfSlot[slot]);
        }
        for (var rank = 0; rank < _ranks; rank++) _load[rank] = ExactLoad(rank);
    }

    /// <summary>Records a replica of <paramref name="expert"/> on <paramref name="rank"/> (replica count aside).</summary>
    private void Add(int rank, int expert)
    {
        if (_onRank[rank * _experts + expert]++ > 0) _coLocated++;
        _ranksOf[expert].Add(rank);
    }

    private void Remove(int rank, int expert)
    {
        if (--_onRank[rank * _experts + expert] > 0) _coLocated--;
        _ranksOf[expert].Remove(rank);
    }

    /// <summary>Sums each rank in slot order, as <see cref="PlacementMetrics.RankLoads"/> does, so loads compare exactly.</summary>
    private double ExactLoad(int rank)
    {
        var sum = 0.0;
        for (var slot = rank * _slotsPerRank; slot < (rank + 1) * _slotsPerRank; slot++)
            sum += _weight[_expertOfSlot[slot]] / _count[_expertOfSlot[slot]];
        return sum;
    }

    private int HeaviestRank()
    {
        var best = 0;
        for (var rank = 1; rank < _ranks; rank++) if (_load[rank] > _load[best]) best = rank;
        return best;
    }

    private bool CanSwap(int a, int b)
    {
        int ra = Rank(a), rb = Rank(b), ea = _expertOfSlot[a], eb = _expertOfSlot[b];
        return ra != rb && ea != eb && OnRank(rb, ea) == 0 && OnRank(ra, eb) == 0;
    }

    private bool CanTransfer(int slot, int to)
    {
        var from = _expertOfSlot[slot];
        return from != to && _count[from] >= 2 && OnRank(Rank(slot), to) == 0;
    }

    private void Swap(int a, int b)
    {
        int ra = Rank(a), rb = Rank(b), ea = _expertOfSlot[a], eb = _expertOfSlot[b];
        Remove(ra, ea); Add(ra, eb);
        Remove(rb, eb); Add(rb, ea);
        _expertOfSlot[a] = eb;
        _expertOfSlot[b] = ea;
        _load[ra] = ExactLoad(ra);
        _load[rb] = ExactLoad(rb);
    }

    private void Transfer(int slot, int to)
    {
        var from = _expertOfSlot[slot];
        var rank = Rank(slot);
        Remove(rank, from); Add(rank, to);
        _count[from]--; _count[to]++;
        _expertOfSlot[slot] = to;
        _load[rank] = ExactLoad(rank);
        foreach (var r in _ranksOf[from]) _load[r] = ExactLoad(r);
        foreach (var r in _ranksOf[to]) _load[r] = ExactLoad(r);
    }

    /// <summary>
    /// New loads after a transfer of the ranks it changes (the slot's, and those holding either expert), into
    /// <see cref="_scratch"/>, listed in <see cref="_touched"/>.
    /// </summary>
    private void LoadsAfterTransfer(int slot, int to)
    {
        var from = _expertOfSlot[slot];
        int cf = _count[from], ct = _count[to];
        _stamp++;
        _touched.Clear();
        foreach (var r in _ranksOf[from]) Touch(r, Piece(from, cf - 1) - Piece(from, cf));
        foreach (var r in _ranksOf[to]) Touch(r, Piece(to, ct + 1) - Piece(to, ct));
        Touch(Rank(slot), Piece(to, ct + 1) - Piece(from, cf - 1));
    }

    private void Touch(int rank, double change)
    {
        if (_touchedStamp[rank] != _stamp)
        {
            _touchedStamp[rank] = _stamp;
            _scratch[rank] = _load[rank];
            _touched.Add(rank);
        }
        _scratch[rank] += change;
    }

    /// <summary>
    /// Simulated annealing on <c>sum_r (load_r / mean)^8</c>, a smooth stand-in for the max rank load;
    /// keeps and finally restores the layout with the lowest max seen. Deterministic for a given generator.
    /// </summary>
    public void Anneal(SplitMix64 random, int iterations)
    {
        var mean = _weight.Sum() / _ranks;
        if (mean <= 0 || iterations <= 0) return;
        var inverseMean = 1 / mean;
        var best = PhysicalToLogical;
        // The heaviest rank changes only when a move is accepted, which most are not at low temperature.
        var hot = HeaviestRank();
        var bestMax = _load[hot];
        var canTransfer = Slots > _experts;
        const double startTemperature = 1.0, endTemperature = 1e-4;
        // Geometric cooling from start to end, one multiplication per step instead of a Math.Pow.
        var cooling = Math.Pow(endTemperature / startTemperature, 1.0 / iterations);
        var temperature = startTemperature / cooling;
        for (var i = 0; i < iterations; i++)
        {
            temperature *= cooling;
            var slot = random.Next(2) == 0 ? hot * _slotsPerRank + random.Next(_slotsPerRank) : random.Next(Slots);
            double delta;
            if (canTransfer && random.Next(2) == 0)
            {
                // Either split the hot rank's expert further (take a slot from elsewhere), or give this slot away.
                int giver = slot, taker = random.Next(_experts);
                if (random.Next(2) == 0) { giver = random.Next(Slots); taker = _expertOfSlot[slot]; }
                if (!CanTransfer(giver, taker)) continue;
                LoadsAfterTransfer(giver, taker);
                delta = 0;
                foreach (var r in _touched) delta += Energy(_scratch[r], inverseMean) - Energy(_load[r], inverseMean);
                if (!Accept(delta, temperature, random)) continue;
                Transfer(giver, taker);
            }
            else
            {
                var other = random.Next(Slots);
                if (!CanSwap(slot, other)) continue;
                int ra = Rank(slot), rb = Rank(other);
                var shift = Piece(_expertOfSlot[slot], _count[_expertOfSlot[slot]]) - Piece(_expertOfSlot[other], _count[_expertOfSlot[other]]);
                delta = Energy(_load[ra] - shift, inverseMean) + Energy(_load[rb] + shift, inverseMean) - Energy(_load[ra], inverseMean) - Energy(_load[rb], inverseMean);
                if (!Accept(delta, temperature, random)) continue;
                Swap(slot, other);
            }
            hot = HeaviestRank();
            if (_load[hot] < bestMax) { bestMax = _load[hot]; Array.Copy(_expertOfSlot, best, Slots); }
        }
        Restore(best);
    }

    private static double Energy(double load, double inverseMean)
    {
        var q = load * inverseMean;
        var q2 = q * q;
        var q4 = q2 * q2;
        return q4 * q4;
    }

    /// <summary>Metropolis rule. Beyond 40 temperatures the chance is below 2^-53, the generator's resolution, so the draw and the exp are skipped.</summary>
    private static bool Accept(double delta, double temperature, SplitMix64 random) =>
        delta <= 0 || (delta < 40 * temperature && random.NextDouble() < Math.Exp(-delta / temperature));

    private void Restore(int[] physicalToLogical)
    {
        Array.Copy(physicalToLogical, _expertOfSlot, Slots);
        Rebuild();
    }

    /// <summary>
    /// Deterministic clean-up, in exact arithmetic: (1) while some swap or transfer touching the heaviest
    /// rank lowers the heaviest load among the ranks it touches, apply the best one; (2) while a co-located
    /// replica can be swapped or transferred away without raising the max rank load, do it. Each step
    /// lowers (max load, co-located replicas, sorted rank loads) lexicographically, so it ends.
    /// </summary>
    public void Polish()
    {
        while (ImproveHeaviest() || SeparateCoLocated()) { }
    }

    private bool ImproveHeaviest()
    {
        var hot = HeaviestRank();
        var bound = _load[hot];
        var bestValue = bound;
        (int Kind, int A, int B) bestMove = default;
        for (var slot = hot * _slotsPerRank; slot < (hot + 1) * _slotsPerRank; slot++)
        {
            for (var other = 0; other < Slots; other++)
            {
                if (!CanSwap(slot, other)) continue;
                var value = PeakAfterSwap(slot, other);
                if (value < bestValue) { bestValue = value; bestMove = (1, slot, other); }
            }
            for (var to = 0; to < _experts; to++)
            {
                if (!CanTransfer(slot, to)) continue;
                var value = PeakAfterTransfer(slot, to);
                if (value < bestValue) { bestValue = value; bestMove = (2, slot, to); }
            }
            var expert = _expertOfSlot[slot];
            for (var giver = 0; giver < Slots; giver++)
            {
                if (!CanTransfer(giver, expert)) continue;
                var value = PeakAfterTransfer(giver, expert);
                if (value < bestValue) { bestValue = value; bestMove = (2, giver, expert); }
            }
        }
        return Apply(bestMove, bound);
    }

    private bool SeparateCoLocated()
    {
        var bound = MaxLoad;
        for (var slot = 0; slot < Slots; slot++)
        {
            if (OnRank(Rank(slot), _expertOfSlot[slot]) < 2) continue;
            for (var other = 0; other < Slots; other++)
            {
                if (CanSwap(slot, other) && PeakAfterSwap(slot, other) <= bound && Apply((1, slot, other), bound, allowEqual: true)) return true;
            }
            for (var to = 0; to < _experts; to++)
            {
                if (CanTransfer(slot, to) && PeakAfterTransfer(slot, to) <= bound && Apply((2, slot, to), bound, allowEqual: true)) return true;
            }
        }
        return false;
    }

    private double PeakAfterSwap(int a, int b)
    {
        int ra = Rank(a), rb = Rank(b);
        var shift = Piece(_expertOfSlot[a], _count[_expertOfSlot[a]]) - Piece(_expertOfSlot[b], _count[_expertOfSlot[b]]);
        return Math.Max(_load[ra] - shift, _load[rb] + shift);
    }

    private double PeakAfterTransfer(int slot, int to)
    {
        LoadsAfterTransfer(slot, to);
        var peak = double.MinValue;
        foreach (var r in _touched) peak = Math.Max(peak, _scratch[r]);
        return peak;
    }

    /// <summary>
    /// Applies a move chosen on incrementally computed loads, then checks it on exact ones and undoes it
    /// if rounding made it miss the bound, so a returned true is a real lexicographic improvement.
    /// </summary>
    private bool Apply((int Kind, int A, int B) move, double bound, bool allowEqual = false)
    {
        if (move.Kind == 0) return false;
        var before = PhysicalToLogical;
        var coLocatedBefore = CoLocated;
        var heaviestBefore = HeaviestCount(bound);
        if (move.Kind == 1) Swap(move.A, move.B); else Transfer(move.A, move.B);
        var max = MaxLoad;
        var ok = allowEqual ? max <= bound && CoLocated < coLocatedBefore : max < bound || (max == bound && HeaviestCount(max) < heaviestBefore);
        if (!ok) Restore(before);
        return ok;
    }

    private int HeaviestCount(double max)
    {
        var count = 0;
        foreach (var load in _load) if (load == max) count++;
        return count;
    }
}
