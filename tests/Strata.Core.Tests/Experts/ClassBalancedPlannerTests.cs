using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Experts;

namespace Strata.Core.Tests.Experts;

public class ClassBalancedPlannerTests
{
    /// <summary>
    /// Class A uses experts 0 and 3, class B experts 1 and 2. Balancing the mix alone pairs {0, 3} and {1, 2}
    /// (21 and 21 tokens), which puts all of class A on one rank and all of B on the other.
    /// </summary>
    private static readonly double[][][] TwoClasses = [[[12, 0, 0, 9], [0, 11, 10, 0]]];

    private static readonly double[][] Mix = [[12, 11, 10, 9]];

    [Fact]
    public void Splits_each_class_over_the_ranks_where_balancing_the_mix_puts_a_class_on_one_rank()
    {
        var shape = new PlacementShape(ranks: 2, physicalSlots: 4);
        var mixOnly = new ClassBalancedPlanner().Plan(new ExpertLoad(Mix), shape, null);
        var withClasses = new ClassBalancedPlanner().Plan(new ExpertLoad(Mix, perClass: TwoClasses), shape, null);

        Assert.Equal(1.0, Balance(mixOnly, Mix[0]));
        Assert.All(TwoClasses[0], classLoad => Assert.Equal(2.0, Balance(mixOnly, classLoad)));
        Assert.InRange(Balance(withClasses, Mix[0]), 1.0, 22.0 / 21);
        Assert.All(TwoClasses[0], classLoad => Assert.InRange(Balance(withClasses, classLoad), 1.0, 12.0 / 10.5));
    }

    [Fact]
    public void Without_classes_it_balances_the_mix()
    {
        var load = new ExpertLoad([[9, 1, 8, 2, 7, 3]]);
        var placement = new ClassBalancedPlanner().Plan(load, new PlacementShape(ranks: 3, physicalSlots: 6), null);
        Assert.Equal(1.0, Balance(placement, load.PerExpert[0]));
    }

    [Property(MaxTest = 150)]
    public Property No_single_swap_lowers_its_objective() =>
        Prop.ForAll(ClassCase.Arbitrary(), c => Enumerable.Range(0, c.Load.Layers).All(layer =>
            ClassBalancedPlanner.Layout(c.Load, layer, c.Shape, maxPasses: 10_000).BestSwapChange() >= -1e-9));

    [Property(MaxTest = 100)]
    public Property The_swaps_never_raise_the_greedy_placements_objective() =>
        Prop.ForAll(ClassCase.Arbitrary(), c => Enumerable.Range(0, c.Load.Layers).All(layer =>
            ClassBalancedPlanner.Layout(c.Load, layer, c.Shape, maxPasses: 10_000).Objective
                <= ClassBalancedPlanner.Layout(c.Load, layer, c.Shape, maxPasses: 0).Objective + 1e-12));

    [Property(MaxTest = 100)]
    public Property Same_input_gives_the_same_placement() =>
        Prop.ForAll(ClassCase.Arbitrary(), c =>
        {
            var first = new ClassBalancedPlanner().Plan(c.Load, c.Shape, null);
            var second = new ClassBalancedPlanner().Plan(c.Load, c.Shape, null);
            return Enumerable.Range(0, c.Load.Layers).All(layer => first.PhysicalToLogical(layer).SequenceEqual(second.PhysicalToLogical(layer)));
        });

    [Property(MaxTest = 100)]
    public Property Planning_again_from_an_unchanged_load_moves_nothing() =>
        Prop.ForAll(ClassCase.Arbitrary(), c =>
        {
            var first = new ClassBalancedPlanner().Plan(c.Load, c.Shape, null);
            var again = new ClassBalancedPlanner().Plan(c.Load, c.Shape, first);
            return PlacementMetrics.ReplicasToLoad(first, again) == 0
                && Enumerable.Range(0, c.Load.Layers).All(layer => first.PhysicalToLogical(layer).SequenceEqual(again.PhysicalToLogical(layer)));
        });

    [Property(MaxTest = 150)]
    public Property Relabelling_ranks_never_moves_more_replicas_and_never_changes_the_objective() =>
        Prop.ForAll(ClassCase.Arbitrary(), Gen.Choose(0, 1_000_000).ToArbitrary(), (c, seed) => Enumerable.Range(0, c.Load.Layers).All(layer =>
        {
            var fresh = ClassBalancedPlanner.Layout(c.Load, layer, c.Shape, maxPasses: 10_000).PhysicalToLogical();
            var current = Shuffled(fresh, seed);
            var relabelled = RankRelabelling.Relabel(fresh, current, c.Shape.Ranks, c.Load.LogicalExperts);
            return Moved(current, relabelled, c) <= Moved(current, fresh, c)
                && Math.Abs(Objective(c, layer, relabelled) - Objective(c, layer, fresh)) <= 1e-12 * Math.Max(1, Objective(c, layer, fresh));
        }));

    [Property(MaxTest = 150)]
    public Property From_a_current_placement_it_reaches_a_local_optimum_no_worse_than_staying() =>
        Prop.ForAll(ClassCase.Arbitrary(), Gen.Choose(0, 1_000_000).ToArbitrary(), (c, seed) =>
        {
            var rows = Enumerable.Range(0, c.Load.Layers)
                .Select(layer => Shuffled(ClassBalancedPlanner.Layout(c.Load, layer, c.Shape, maxPasses: 0).PhysicalToLogical(), seed + layer)).ToArray();
            var current = new ExpertPlacement(rows, c.Load.LogicalExperts, c.Shape.Ranks);
            var next = new ClassBalancedPlanner(maxPasses: 10_000).Plan(c.Load, c.Shape, current);
            return Enumerable.Range(0, c.Load.Layers).All(layer =>
            {
                var row = next.PhysicalToLogical(layer).ToArray();
                return Objective(c, layer, row) <= Objective(c, layer, rows[layer]) + 1e-12
                    && ClassBalancedPlanner.Layout(c.Load, layer, c.Shape, maxPasses: 0, start: row).BestSwapChange() >= -1e-9;
            });
        });

    [Fact]
    public void A_small_load_change_moves_only_the_replicas_whose_move_pays()
    {
        // Eight experts on two ranks, planned for one load; then expert 0 gets a little heavier.
        var shape = new PlacementShape(ranks: 2, physicalSlots: 8);
        double[][] before = [[10, 9, 8, 7, 6, 5, 4, 3]];
        double[][] after = [[11, 9, 8, 7, 6, 5, 4, 3]];
        var current = new ClassBalancedPlanner().Plan(new ExpertLoad(before), shape, null);
        var warm = new ClassBalancedPlanner().Plan(new ExpertLoad(after), shape, current);
        var fresh = new ClassBalancedPlanner().Plan(new ExpertLoad(after), shape, null);
        Assert.Equal(Balance(fresh, after[0]), Balance(warm, after[0]), 12);
        Assert.True(PlacementMetrics.ReplicasToLoad(current, warm) <= 2, $"moved {PlacementMetrics.ReplicasToLoad(current, warm)}");
    }

    [Property(MaxTest = 200)]
    public Property The_rank_assignment_is_a_maximum() =>
        Prop.ForAll(Gen.Choose(1, 5).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 20), n * n).Select(w => (n, w))).ToArbitrary(), t =>
        {
            var (n, w) = t;
            var weight = new long[n, n];
            for (var i = 0; i < n * n; i++) weight[i / n, i % n] = w[i];
            var assignment = RankRelabelling.MaxWeightAssignment(weight);
            var value = Enumerable.Range(0, n).Sum(p => weight[p, assignment[p]]);
            return assignment.Distinct().Count() == n && value == Permutations(n).Max(perm => Enumerable.Range(0, n).Sum(p => weight[p, perm[p]]));
        });

    [Fact]
    public void A_current_placement_of_another_shape_is_rejected()
    {
        var load = new ExpertLoad([[4, 3, 2, 1]]);
        var current = ExpertPlacement.Contiguous(layers: 1, experts: 4, ranks: 4);
        Assert.Throws<ArgumentException>(() => new ClassBalancedPlanner().Plan(load, new PlacementShape(ranks: 2, physicalSlots: 4), current));
    }

    private static IEnumerable<int[]> Permutations(int n) =>
        n == 0 ? [[]] : Permutations(n - 1).SelectMany(p => Enumerable.Range(0, n).Select(i => p.Take(i).Append(n - 1).Concat(p.Skip(i)).ToArray()));

    private static int[] Shuffled(int[] row, int seed)
    {
        var result = (int[])row.Clone();
        new Random(seed).Shuffle(result);
        return result;
    }

    private static int Moved(int[] current, int[] next, ClassCase c) => PlacementMetrics.ReplicasToLoad(
        new ExpertPlacement([current], c.Load.LogicalExperts, c.Shape.Ranks), new ExpertPlacement([next], c.Load.LogicalExperts, c.Shape.Ranks));

    private static double Objective(ClassCase c, int layer, int[] row) =>
        ClassBalancedPlanner.Layout(c.Load, layer, c.Shape, maxPasses: 0, start: row).Objective;

    [Fact]
    public void A_ragged_per_class_load_is_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new ExpertLoad([[1, 2], [3, 4]], perClass: [[[1, 2]], [[1, 2], [3, 4]]]));
        Assert.Contains("per-class load [1] has 2 classes, layer 0 has 1", error.Message);
    }

    /// <summary>Max over mean rank load of one layer's row of loads (1 = even).</summary>
    private static double Balance(ExpertPlacement placement, double[] row) => PlacementMetrics.Balancedness(placement, new ExpertLoad([row]))[0];

    /// <summary>Random per-class loads (1–4 classes, 1–2 layers) whose mix is their sum, on a shape with 0–3 redundant slots.</summary>
    private sealed record ClassCase(ExpertLoad Load, PlacementShape Shape)
    {
        public override string ToString() =>
            $"ranks={Shape.Ranks} slots={Shape.PhysicalSlots} classes=[{string.Join(" | ", Load.PerClass![0].Select(r => string.Join(",", r)))}]";

        public static Arbitrary<ClassCase> Arbitrary() =>
            (from ranks in Gen.Choose(1, 5)
             from slotsPerRank in Gen.Choose(1, 4)
             from experts in Gen.Choose(Math.Max(1, ranks * slotsPerRank - 3), ranks * slotsPerRank)
             from classes in Gen.Choose(1, 4)
             from layers in Gen.Choose(1, 2)
             from loads in Gen.ArrayOf(Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 400).Select(v => v / 4.0), experts), classes), layers)
             select new ClassCase(
                 new ExpertLoad(loads.Select(layer => Enumerable.Range(0, experts).Select(e => layer.Sum(c => c[e])).ToArray()).ToArray(), perClass: loads),
                 new PlacementShape(ranks, ranks * slotsPerRank)))
            .ToArbitrary();
    }
}
