using FsCheck;
using FsCheck.Fluent;
using Strata.Core.Experts;

namespace Strata.Core.Tests.Experts;

/// <summary>A random but legal planning input: loads for 1-2 layers and a shape that EPLB accepts.</summary>
public sealed record PlanningCase(ExpertLoad Load, PlacementShape Shape)
{
    public override string ToString() =>
        $"ranks={Shape.Ranks} nodes={Shape.Nodes} slots={Shape.PhysicalSlots} groups={Shape.ExpertGroups} loads=[{string.Join(" | ", Load.PerExpert.Select(r => string.Join(",", r)))}]";

    public static Arbitrary<PlanningCase> Arbitrary() =>
        (from ranks in Gen.Choose(1, 6)
         from nodes in Gen.Elements(Divisors(ranks))
         from slotsPerRank in Gen.Choose(1, 4)
         from experts in Gen.Choose(Math.Max(1, ranks * slotsPerRank / 2), ranks * slotsPerRank)
         from groups in Gen.Elements(Divisors(experts))
         from layers in Gen.Choose(1, 2)
         from loads in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 1000).Select(v => v / 4.0), experts), layers)
         select new PlanningCase(new ExpertLoad(loads), new PlacementShape(ranks, ranks * slotsPerRank, nodes, groups)))
        .ToArbitrary();

    private static int[] Divisors(int n) => Enumerable.Range(1, n).Where(d => n % d == 0).ToArray();
}
