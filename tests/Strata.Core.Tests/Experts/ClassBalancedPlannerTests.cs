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
