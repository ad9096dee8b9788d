using Google.OrTools.Sat;
using Strata.Core.Experts;

namespace Strata.Experts.Solver;

/// <summary>
/// Solves one <c>gimbal-minlp</c> layer (<see cref="GimbalMinlpPlanner"/>) exactly with OR-Tools CP-SAT, replica
/// counts included. The even split <c>w[e] / c[e]</c> is what makes the model nonlinear; it is linearised by
/// enumerating the count: <c>y[e][c]</c> says expert <c>e</c> has <c>c</c> replicas (exactly one <c>c</c> per
/// expert, <c>1 ≤ c ≤ min(ranks, slots − experts + 1)</c>, the most that fit on distinct ranks), and
/// <c>z[e][r][c] ≤ y[e][c]</c> puts one of those replicas on rank <c>r</c>, with <c>Σ_r z[e][r][c] = c·y[e][c]</c>.
/// A replica on <c>r</c> is then <c>x[e][r] = Σ_c z[e][r][c] ∈ {0, 1}</c>, which is the distinct-ranks rule for
/// free, and every term is linear in <c>z</c>: load <c>w/c</c>, crossing tokens <c>cross[e][r]/c</c>, and a
/// migration charge when <c>r</c> did not hold <c>e</c>. The max rank load is an integer <c>M ≥ L_r</c>.
/// <para>Counts are optimised rather than fixed from EPLB's D'Hondt step because the traffic term wants
/// replicas where the sources are, not where the load-only apportionment puts them, and local search moves
/// counts too: fixing them would make the exact side weaker than the heuristic it is meant to bound.</para>
/// <para>Coefficients are the objective scaled to integers (about 1e12 units per objective unit), so a
/// solution is optimal to within ~1e-11 of the real-valued objective. One worker (deterministic for a seed,
/// and the hosts are small); the hint starts the search from a feasible row. If the time limit stops it, the
/// best row found is returned, never worse than the hint.</para>
/// </summary>
public sealed class CpSatMinlpSolver(TimeSpan timeLimit, int seed = 0) : IMinlpLayerSolver
{
    private const double Resolution = 1e12;

    public MinlpSolution Solve(MinlpLayer layer, int[] hint)
    {
        int experts = layer.Experts, ranks = layer.Ranks;
        var maxCount = Math.Min(ranks, layer.Slots - experts + 1);
        // One objective unit in integer steps; shrunk for large weights so sums stay far inside int64.
        var scale = Resolution / Math.Max(1, layer.Objective.Alpha * ranks + layer.Objective.Beta + layer.Objective.Gamma);
        var hintCount = new int[experts];
        var hintOn = new bool[experts, ranks];
        for (var slot = 0; slot < hint.Length; slot++) { hintCount[hint[slot]]++; hintOn[hint[slot], slot / layer.SlotsPerRank] = true; }

        var model = new CpModel();
        var z = new BoolVar[experts, ranks, maxCount + 1];
        var rankLoad = Enumerable.Range(0, ranks).Select(_ => new List<(BoolVar, long)>()).ToArray();
        var costs = new List<(BoolVar, long)>();
        for (var e = 0; e < experts; e++)
        {
            var choice = new List<ILiteral>();
            for (var c = 1; c <= maxCount; c++)
            {
                var y = model.NewBoolVar($"y_{e}_{c}");
                model.AddHint(y, hintCount[e] == c);
                choice.Add(y);
                var replicas = new List<IntVar>();
                for (var r = 0; r < ranks; r++)
                {
                    var v = z[e, r, c] = model.NewBoolVar($"z_{e}_{r}_{c}");
                    model.AddImplication(v, y);
                    model.AddHint(v, hintCount[e] == c && hintOn[e, r]);
                    replicas.Add(v);
                    rankLoad[r].Add((v, Scaled(scale * layer.LoadScale * layer.Weight(e) / c)));
                    var migration = layer.HasCurrent && layer.Resident(r, e) == 0 ? layer.MigrationScale : 0;
                    costs.Add((v, Scaled(scale * (layer.TrafficScale * layer.CrossTokens(e, r) / c + migration))));
                }
                model.Add(LinearExpr.Sum(replicas) == c * y);
            }
            model.AddExactlyOne(choice);
        }
        for (var r = 0; r < ranks; r++)
        {
            var slots = new List<IntVar>();
            for (var e = 0; e < experts; e++)
                for (var c = 1; c <= maxCount; c++) slots.Add(z[e, r, c]);
            model.Add(LinearExpr.Sum(slots) == layer.SlotsPerRank);
        }
        var bound = rankLoad.Max(terms => terms.Sum(t => t.Item2));
        var maxLoad = model.NewIntVar(0, bound, "max_load");
        foreach (var terms in rankLoad)
            model.Add(LinearExpr.WeightedSum(terms.Select(t => t.Item1), terms.Select(t => t.Item2)) <= maxLoad);
        model.Minimize(maxLoad + LinearExpr.WeightedSum(costs.Select(t => t.Item1), costs.Select(t => t.Item2)));

        var solver = new CpSolver
        {
            StringParameters = FormattableString.Invariant($"max_time_in_seconds:{timeLimit.TotalSeconds} num_workers:1 random_seed:{seed}"),
        };
        var status = solver.Solve(model);
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible)) return new MinlpSolution((int[])hint.Clone(), false);

        var row = new List<int>(layer.Slots);
        for (var r = 0; r < ranks; r++)
            for (var e = 0; e < experts; e++)
                for (var c = 1; c <= maxCount; c++)
                    if (solver.BooleanValue(z[e, r, c])) row.Add(e);
        return new MinlpSolution([.. row], status == CpSolverStatus.Optimal);
    }

    private static long Scaled(double value) => (long)Math.Round(value);
}
