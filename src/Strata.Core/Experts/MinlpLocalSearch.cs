using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Strata.Core.Experts;

/// <summary>
/// <c>gimbal-minlp</c>'s search for one layer: best-improvement hill climbing from a start row, slot by slot
/// in a seeded order. For the slot in hand it prices, in O(1) or O(replicas), every
/// <list type="bullet">
/// <item><em>swap</em> with a slot on another rank (both experts move, replica counts stay),</item>
/// <item><em>transfer out</em>: the slot's expert (with a spare replica) gives the slot to another expert,</item>
/// <item><em>transfer in</em>: a slot elsewhere whose expert has a spare replica becomes one more replica of
/// this slot's expert (how a hot expert gets split further),</item>
/// </list>
/// and applies the one that lowers <c>α·C_load + β·C_comm + γ·C_mig</c> most. Most candidates are ruled out by an
/// exact O(1) bound before their loads are priced (<see cref="ImproveAt"/>), so the search makes the same moves a full
/// pricing would, at about a third of the cost at DeepSeek-V3 size. Passes repeat until one gains less than
/// <see cref="MinPassGain"/>. Replicas of an expert stay on distinct ranks: the start is made distinct first and no move
/// breaks it. Same start and generator, same result.
/// </summary>
internal sealed class MinlpLocalSearch
{
    private const int MaxPasses = 50;

    /// <summary>A pass that lowers the objective by less than this (1e-5 of a fully straggling rank) ends the search: later passes only polish noise.</summary>
    private const double MinPassGain = 1e-5;

    private readonly MinlpLayer _layer;
    private readonly int _experts;
    private readonly int _ranks;
    private readonly int _slotsPerRank;
    private readonly int[] _expertOfSlot;
    private readonly int[] _count;
    private readonly bool[] _onRank;
    private readonly List<int>[] _ranksOf;
    private readonly double[] _load;
    private readonly double[] _crossSum;
    private readonly int[] _byLoad;
    // Dense copies of the layer's traffic and residency, [expert * ranks + rank]: the inner loops read them ~10^5 times per pass.
    private readonly double[] _cross;
    private readonly int[] _isNew;
    private readonly Comparison<int> _heavierFirst;
    // Slots whose expert has a spare replica, in slot order: every slot's transfer-in scan walks them.
    private readonly Giver[] _givers;
    private int _giverCount;
    // _byLoad and _givers are rebuilt only after a move: most slots find none, and their neighbours see the same state.
    private bool _movedSinceSort = true;

    public MinlpLocalSearch(MinlpLayer layer, int[] start)
    {
        _layer = layer;
        _experts = layer.Experts;
        _ranks = layer.Ranks;
        _slotsPerRank = layer.SlotsPerRank;
        if (_slotsPerRank > _experts)
            throw new ArgumentException($"gimbal-minlp keeps the replicas of an expert on distinct ranks, which {_slotsPerRank} slots per rank and {_experts} logical experts make impossible; use at most one slot per rank per expert.");
        _expertOfSlot = (int[])start.Clone();
        _count = new int[_experts];
        _onRank = new bool[_ranks * _experts];
        _ranksOf = Enumerable.Range(0, _experts).Select(_ => new List<int>()).ToArray();
        _load = new double[_ranks];
        _crossSum = new double[_experts];
        _byLoad = Enumerable.Range(0, _ranks).ToArray();
        _heavierFirst = (a, b) => _load[b].CompareTo(_load[a]);
        _cross = new double[_experts * _ranks];
        _isNew = new int[_experts * _ranks];
        _givers = new Giver[start.Length];
        for (var e = 0; e < _experts; e++)
        {
            for (var r = 0; r < _ranks; r++)
            {
                _cross[e * _ranks + r] = layer.CrossTokens(e, r);
                _isNew[e * _ranks + r] = layer.HasCurrent && layer.Resident(r, e) == 0 ? 1 : 0;
            }
        }
        MakeDistinct();
        Rebuild();
    }

    public int[] PhysicalToLogical => (int[])_expertOfSlot.Clone();

    private int Slots => _expertOfSlot.Length;

    private int Rank(int slot) => slot / _slotsPerRank;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool On(int rank, int expert) => _onRank[rank * _experts + expert];

    private double Piece(int expert, int count) => _layer.Weight(expert) / count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int IsNew(int rank, int expert) => _isNew[expert * _ranks + rank];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Cross(int expert, int rank) => _cross[expert * _ranks + rank];

    /// <summary>
    /// Separates co-located replicas (EPLB may co-locate, and so may a current placement): swap the duplicate
    /// with a slot of another rank if some swap keeps both ranks distinct, else hand the slot to an expert the
    /// rank lacks (one exists, since a rank with a duplicate holds fewer than <c>experts</c> distinct ones).
    /// </summary>
    private void MakeDistinct()
    {
        var held = new int[_ranks * _experts];
        foreach (var (slot, expert) in _expertOfSlot.Index()) held[Rank(slot) * _experts + expert]++;
        for (var slot = 0; slot < Slots; slot++)
        {
            int rank = Rank(slot), expert = _expertOfSlot[slot];
            if (held[rank * _experts + expert] < 2) continue;
            var partner = -1;
            for (var other = 0; other < Slots && partner < 0; other++)
            {
                int otherRank = Rank(other), otherExpert = _expertOfSlot[other];
                if (otherRank != rank && held[otherRank * _experts + expert] == 0 && held[rank * _experts + otherExpert] == 0) partner = other;
            }
            var replacement = partner >= 0 ? _expertOfSlot[partner] : Enumerable.Range(0, _experts).First(e => held[rank * _experts + e] == 0);
            held[rank * _experts + expert]--;
            held[rank * _experts + replacement]++;
            _expertOfSlot[slot] = replacement;
            if (partner < 0) continue;
            held[Rank(partner) * _experts + replacement]--;
            held[Rank(partner) * _experts + expert]++;
            _expertOfSlot[partner] = expert;
        }
    }

    private void Rebuild()
    {
        Array.Clear(_count);
        Array.Clear(_onRank);
        foreach (var list in _ranksOf) list.Clear();
        for (var slot = 0; slot < Slots; slot++)
        {
            var expert = _expertOfSlot[slot];
            _count[expert]++;
            _onRank[Rank(slot) * _experts + expert] = true;
            _ranksOf[expert].Add(Rank(slot));
        }
        for (var e = 0; e < _experts; e++) _crossSum[e] = _ranksOf[e].Sum(r => Cross(e, r));
        for (var r = 0; r < _ranks; r++) _load[r] = ExactLoad(r);
    }

    private double ExactLoad(int rank)
    {
        var sum = 0.0;
        for (var slot = rank * _slotsPerRank; slot < (rank + 1) * _slotsPerRank; slot++)
            sum += Piece(_expertOfSlot[slot], _count[_expertOfSlot[slot]]);
        return sum;
    }

    public void Run(Random random)
    {
        var order = Enumerable.Range(0, Slots).ToArray();
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            random.Shuffle(order);
            var gain = 0.0;
            foreach (var slot in order) gain += ImproveAt(slot);
            if (gain < MinPassGain) return;
        }
    }

    /// <summary>
    /// Applies the best move that involves <paramref name="slot"/>: lowest objective, or, among moves that leave it
    /// unchanged, the lowest sum of squared rank loads. The second key walks the plateaus of the max (several ranks
    /// tied at the top, where no single move lowers it) by draining the heavy ranks one at a time.
    /// <para>Only a move that lowers the load of the heaviest rank can lower the max; any other move changes the
    /// objective by at least its traffic and migration terms, which cost O(1). Moves whose bound already loses to
    /// the best so far are skipped without pricing their loads, which picks exactly the move a full scan would
    /// (the bound is a true lower bound in floating point too, see <see cref="CannotWin"/>) at a fraction of the
    /// cost: most slots sit on neither the heaviest rank nor share an expert with it. Candidates are walked rank
    /// by rank, in slot order as before, so a rank that already holds the expert is skipped whole.</para>
    /// </summary>
    private double ImproveAt(int slot)
    {
        if (_movedSinceSort)
        {
            Array.Sort(_byLoad, _heavierFirst);
            ListGivers();
            _movedSinceSort = false;
        }
        var top = _byLoad[0];
        var currentMax = _load[top];
        // Moves must win by more than rounding noise, or passes could cycle on ties.
        var best = (Delta: -Tolerance, Spread: 0.0);
        (int Kind, int A, int B) bestMove = default;
        int rank = Rank(slot), expert = _expertOfSlot[slot];
        for (var otherRank = 0; otherRank < _ranks; otherRank++)
        {
            // Swapping keeps replicas distinct only if neither expert is on the other's rank yet.
            if (otherRank == rank || On(otherRank, expert)) continue;
            var touchesTop = rank == top || otherRank == top;
            // The slot's own share of the side terms is the same for every partner on otherRank.
            var mine = (Traffic: (Cross(expert, otherRank) - Cross(expert, rank)) / _count[expert], Loaded: IsNew(otherRank, expert) - IsNew(rank, expert));
            for (var other = otherRank * _slotsPerRank; other < (otherRank + 1) * _slotsPerRank; other++)
            {
                var otherExpert = _expertOfSlot[other];
                if (On(rank, otherExpert)) continue;
                var side = Side(mine.Traffic + (Cross(otherExpert, rank) - Cross(otherExpert, otherRank)) / _count[otherExpert],
                    mine.Loaded + IsNew(rank, otherExpert) - IsNew(otherRank, otherExpert));
                if (!touchesTop && CannotWin(side.Bound, best)) continue;
                Consider(SwapDelta(rank, expert, otherRank, otherExpert, currentMax, side), (1, slot, other), ref best, ref bestMove);
            }
        }
        if (_count[expert] >= 2)
        {
            var release = ReleaseTraffic(rank, expert);
            for (var to = 0; to < _experts; to++)
            {
                if (On(rank, to)) continue;
                var side = TransferSideTerms(rank, expert, to, release);
                if (rank != top && !On(top, to) && CannotWin(side.Bound, best)) continue;
                Consider(TransferDelta(rank, expert, to, currentMax, side), (2, slot, to), ref best, ref bestMove);
            }
        }
        var expertOnTop = On(top, expert);
        foreach (var giver in _givers.AsSpan(0, _giverCount))
        {
            if (On(giver.Rank, expert)) continue;
            var side = TransferSideTerms(giver.Rank, giver.Expert, expert, giver.Release);
            if (!expertOnTop && giver.Rank != top && CannotWin(side.Bound, best)) continue;
            Consider(TransferDelta(giver.Rank, giver.Expert, expert, currentMax, side), (2, giver.Slot, expert), ref best, ref bestMove);
        }
        if (bestMove.Kind == 0) return 0;
        if (bestMove.Kind == 1) Swap(bestMove.A, bestMove.B); else Transfer(bestMove.A, bestMove.B);
        _movedSinceSort = true;
        // A plateau move gains nothing now but keeps the pass going: it may open an improving move.
        return Math.Max(-best.Delta, MinPassGain);
    }

    private const double Tolerance = 1e-12;

    /// <summary>A slot that can give itself to another expert, with its <see cref="ReleaseTraffic"/>: a move changes them, a scan does not.</summary>
    private readonly record struct Giver(int Slot, int Rank, int Expert, double Release);

    private void ListGivers()
    {
        _giverCount = 0;
        for (var slot = 0; slot < Slots; slot++)
        {
            var from = _expertOfSlot[slot];
            if (_count[from] >= 2) _givers[_giverCount++] = new Giver(slot, Rank(slot), from, ReleaseTraffic(Rank(slot), from));
        }
    }

    private static void Consider((double Delta, double Spread) move, (int, int, int) id, ref (double Delta, double Spread) best, ref (int Kind, int A, int B) bestMove)
    {
        var better = move.Delta < best.Delta - Tolerance
            || (move.Delta <= Math.Min(best.Delta, 0) + Tolerance && move.Spread < best.Spread - Tolerance * Math.Abs(best.Spread) - Tolerance);
        if (better) { best = move; bestMove = id; }
    }

    /// <summary>
    /// Whether a move whose objective change is at least <paramref name="bound"/> cannot pass <see cref="Consider"/>:
    /// both of its tests need a change of at most <c>min(best, 0) + Tolerance</c>. A move that leaves the heaviest
    /// rank's load as it is, or raises it, has a load change ≥ 0 exactly (the new max is a max over a set holding a
    /// value ≥ the old max), and adding it to the traffic and migration terms in the same order cannot round below them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool CannotWin(double bound, (double Delta, double Spread) best) => bound > Math.Min(best.Delta, 0) + Tolerance;

    /// <summary>A move's cross-rank token change and replicas newly loaded; <see cref="Bound"/> is their priced sum, the move's change when the max stays.</summary>
    private readonly record struct SideTerms(double Traffic, int Loaded, double Bound);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SideTerms Side(double traffic, int loaded) => new(traffic, loaded, _layer.TrafficScale * traffic + _layer.MigrationScale * loaded);

    /// <summary>Objective change of a swap, and the change of the sum of squared rank loads (relative to the mean's square).</summary>
    private (double Delta, double Spread) SwapDelta(int ra, int ea, int rb, int eb, double currentMax, SideTerms side)
    {
        double pa = Piece(ea, _count[ea]), pb = Piece(eb, _count[eb]);
        double newA = _load[ra] - pa + pb, newB = _load[rb] - pb + pa;
        var max = Math.Max(MaxExcept(ra, rb), Math.Max(newA, newB));
        var spread = (newA * newA + newB * newB - _load[ra] * _load[ra] - _load[rb] * _load[rb]) * _layer.LoadScale * _layer.LoadScale;
        return (_layer.LoadScale * (max - currentMax) + _layer.TrafficScale * side.Traffic + _layer.MigrationScale * side.Loaded, spread);
    }

    /// <summary>Traffic change when <paramref name="from"/> (≥ 2 replicas) drops its replica on <paramref name="rank"/>; the same for every expert taking the slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double ReleaseTraffic(int rank, int from)
    {
        var cf = _count[from];
        return (_crossSum[from] - Cross(from, rank)) / (cf - 1) - _crossSum[from] / cf;
    }

    /// <summary>The side terms of <see cref="TransferDelta"/>; <paramref name="release"/> is <see cref="ReleaseTraffic"/> of the slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SideTerms TransferSideTerms(int rank, int from, int to, double release)
    {
        var ct = _count[to];
        var traffic = release + (_crossSum[to] + Cross(to, rank)) / (ct + 1) - _crossSum[to] / ct;
        return Side(traffic, IsNew(rank, to) - IsNew(rank, from));
    }

    /// <summary>
    /// A slot on <paramref name="rank"/> stops holding <paramref name="from"/> (which keeps ≥ 1 replica) and holds
    /// <paramref name="to"/>. The touched ranks are <paramref name="from"/>'s (one of them <paramref name="rank"/>)
    /// and <paramref name="to"/>'s, priced straight from the replica lists without scratch state.
    /// </summary>
    private (double Delta, double Spread) TransferDelta(int rank, int from, int to, double currentMax, SideTerms side)
    {
        int cf = _count[from], ct = _count[to];
        double leave = Piece(from, cf), grow = Piece(from, cf - 1) - leave, arrive = Piece(to, ct + 1), shrink = arrive - Piece(to, ct);
        var max = MaxExceptHolding(from, to);
        var spread = 0.0;
        foreach (var r in CollectionsMarshal.AsSpan(_ranksOf[from]))
        {
            var next = r == rank ? _load[r] - leave + arrive : _load[r] + grow;
            if (On(r, to)) next += shrink;
            max = Math.Max(max, next);
            spread += (next * next - _load[r] * _load[r]) * _layer.LoadScale * _layer.LoadScale;
        }
        foreach (var r in CollectionsMarshal.AsSpan(_ranksOf[to]))
        {
            if (On(r, from)) continue;
            var next = _load[r] + shrink;
            max = Math.Max(max, next);
            spread += (next * next - _load[r] * _load[r]) * _layer.LoadScale * _layer.LoadScale;
        }
        return (_layer.LoadScale * (max - currentMax) + _layer.TrafficScale * side.Traffic + _layer.MigrationScale * side.Loaded, spread);
    }

    private double MaxExcept(int ra, int rb)
    {
        foreach (var r in _byLoad) if (r != ra && r != rb) return _load[r];
        return 0;
    }

    /// <summary>The heaviest load among ranks holding neither expert.</summary>
    private double MaxExceptHolding(int a, int b)
    {
        foreach (var r in _byLoad) if (!On(r, a) && !On(r, b)) return _load[r];
        return 0;
    }

    private void Swap(int a, int b)
    {
        int ra = Rank(a), rb = Rank(b), ea = _expertOfSlot[a], eb = _expertOfSlot[b];
        _expertOfSlot[a] = eb;
        _expertOfSlot[b] = ea;
        Relocate(ea, ra, rb);
        Relocate(eb, rb, ra);
        _load[ra] = ExactLoad(ra);
        _load[rb] = ExactLoad(rb);
    }

    private void Relocate(int expert, int from, int to)
    {
        _onRank[from * _experts + expert] = false;
        _onRank[to * _experts + expert] = true;
        _ranksOf[expert][_ranksOf[expert].IndexOf(from)] = to;
        _crossSum[expert] += Cross(expert, to) - Cross(expert, from);
    }

    private void Transfer(int slot, int to)
    {
        var rank = Rank(slot);
        var from = _expertOfSlot[slot];
        _expertOfSlot[slot] = to;
        _onRank[rank * _experts + from] = false;
        _onRank[rank * _experts + to] = true;
        _count[from]--;
        _count[to]++;
        _ranksOf[from].Remove(rank);
        _ranksOf[to].Add(rank);
        _crossSum[from] -= Cross(from, rank);
        _crossSum[to] += Cross(to, rank);
        _load[rank] = ExactLoad(rank);
        foreach (var r in _ranksOf[from]) _load[r] = ExactLoad(r);
        foreach (var r in _ranksOf[to]) _load[r] = ExactLoad(r);
    }
}
