namespace Strata.Core.Experts;

/// <summary>
/// Renames the ranks of a freshly planned layer so that it keeps as much of the current placement as
/// possible. An objective that depends only on the multiset of rank loads (such as
/// <c>class-balanced</c>'s J) is unchanged by renaming ranks, so this lowers migration for free.
/// </summary>
internal static class RankRelabelling
{
    /// <summary>
    /// <paramref name="planned"/>'s rank blocks moved onto the ranks of <paramref name="current"/> that share the
    /// most replicas with them (an exact maximum-weight assignment), then, within each rank, experts the rank
    /// already held kept in their old slot. The result holds the same replicas per rank as <paramref name="planned"/>
    /// up to a permutation of ranks, and needs no more replicas loaded than it.
    /// </summary>
    public static int[] Relabel(int[] planned, ReadOnlySpan<int> current, int ranks, int experts)
    {
        var slotsPerRank = planned.Length / ranks;
        var plannedCount = CountPerRank(planned, ranks, slotsPerRank, experts);
        var currentCount = CountPerRank(current, ranks, slotsPerRank, experts);
        // overlap[p, q]: replicas of planned rank p that current rank q already holds (what would not move).
        var overlap = new long[ranks, ranks];
        for (var p = 0; p < ranks; p++)
            for (var q = 0; q < ranks; q++)
                for (var e = 0; e < experts; e++)
                    overlap[p, q] += Math.Min(plannedCount[p * experts + e], currentCount[q * experts + e]);
        var target = MaxWeightAssignment(overlap);
        var row = new int[planned.Length];
        for (var p = 0; p < ranks; p++)
            Array.Copy(planned, p * slotsPerRank, row, target[p] * slotsPerRank, slotsPerRank);
        return KeepSlots(row, current, slotsPerRank);
    }

    /// <summary>Reorders each rank's slots so an expert the rank already held stays in its old slot.</summary>
    public static int[] KeepSlots(int[] row, ReadOnlySpan<int> current, int slotsPerRank)
    {
        var result = new int[row.Length];
        for (var start = 0; start < row.Length; start += slotsPerRank)
        {
            var pending = row[start..(start + slotsPerRank)].ToList();
            var free = new List<int>();
            for (var slot = start; slot < start + slotsPerRank; slot++)
            {
                if (pending.Remove(current[slot])) result[slot] = current[slot];
                else free.Add(slot);
            }
            foreach (var (slot, expert) in free.Zip(pending)) result[slot] = expert;
        }
        return result;
    }

    /// <summary>
    /// A permutation <c>p → q</c> maximising Σ weight[p, q]: the Hungarian method (Kuhn–Munkres with
    /// potentials, O(n³)) on the negated weights. Deterministic: ties resolve by index order.
    /// </summary>
    public static int[] MaxWeightAssignment(long[,] weight)
    {
        var n = weight.GetLength(0);
        // 1-based arrays; column 0 is the virtual start of each augmenting path.
        var u = new long[n + 1];
        var v = new long[n + 1];
        var matchOfColumn = new int[n + 1];
        var way = new int[n + 1];
        for (var row = 1; row <= n; row++)
        {
            matchOfColumn[0] = row;
            var column = 0;
            var minimum = new long[n + 1];
            Array.Fill(minimum, long.MaxValue);
            var used = new bool[n + 1];
            do
            {
                used[column] = true;
                int matched = matchOfColumn[column], next = 0;
                var delta = long.MaxValue;
                for (var j = 1; j <= n; j++)
                {
                    if (used[j]) continue;
                    var reduced = -weight[matched - 1, j - 1] - u[matched] - v[j];
                    if (reduced < minimum[j]) { minimum[j] = reduced; way[j] = column; }
                    if (minimum[j] < delta) { delta = minimum[j]; next = j; }
                }
                for (var j = 0; j <= n; j++)
                {
                    if (used[j]) { u[matchOfColumn[j]] += delta; v[j] -= delta; }
                    else minimum[j] -= delta;
                }
                column = next;
            } while (matchOfColumn[column] != 0);
            do
            {
                var previous = way[column];
                matchOfColumn[column] = matchOfColumn[previous];
                column = previous;
            } while (column != 0);
        }
        var assignment = new int[n];
        for (var j = 1; j <= n; j++) assignment[matchOfColumn[j] - 1] = j - 1;
        return assignment;
    }

    private static int[] CountPerRank(ReadOnlySpan<int> row, int ranks, int slotsPerRank, int experts)
    {
        var count = new int[ranks * experts];
        for (var slot = 0; slot < row.Length; slot++) count[slot / slotsPerRank * experts + row[slot]]++;
        return count;
    }
}
