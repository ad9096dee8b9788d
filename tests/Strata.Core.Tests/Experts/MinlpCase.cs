using FsCheck;
using FsCheck.Fluent;
using Strata.Core.Experts;

namespace Strata.Core.Tests.Experts;

/// <summary>
/// A random <c>gimbal-minlp</c> input: per-source loads (one source per rank), a shape where replicas can
/// sit on distinct ranks (slots per rank ≤ experts) and, half of the time, a current placement.
/// </summary>
public sealed record MinlpCase(ExpertLoad Load, PlacementShape Shape, ExpertPlacement? Current)
{
    public override string ToString() =>
        $"ranks={Shape.Ranks} slots={Shape.PhysicalSlots} current={(Current is null ? "none" : string.Join(",", Current.PhysicalToLogical(0).ToArray()))} sources=[{string.Join(" | ", Load.PerSource![0].Select(r => string.Join(",", r)))}]";

    public static Arbitrary<MinlpCase> Arbitrary() =>
        (from ranks in Gen.Choose(1, 4)
         from slotsPerRank in Gen.Choose(1, 3)
         from experts in Gen.Choose(slotsPerRank, ranks * slotsPerRank)
         from layers in Gen.Choose(1, 2)
         from perSource in Gen.ArrayOf(Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 400).Select(v => v / 2.0), experts), ranks), layers)
         from previous in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 400).Select(v => (double)v), experts), layers)
         from withCurrent in Gen.Elements(true, false)
         let shape = new PlacementShape(ranks, ranks * slotsPerRank)
         select new MinlpCase(ExpertLoad.FromSources(perSource), shape, withCurrent ? new EplbPlanner().Plan(new ExpertLoad(previous), shape, null) : null))
        .ToArbitrary();

    /// <summary>Lognormal expert popularity (σ = 1) with each source preferring its own block of experts by <paramref name="affinity"/>.</summary>
    public static ExpertLoad Lognormal(int layers, int experts, int sources, double affinity, int seed)
    {
        var random = new Random(seed);
        var perSource = new double[layers][][];
        for (var layer = 0; layer < layers; layer++)
        {
            var popularity = Enumerable.Range(0, experts).Select(_ => Math.Exp(Gaussian(random))).ToArray();
            perSource[layer] = Enumerable.Range(0, sources).Select(s => Enumerable.Range(0, experts)
                .Select(e => Math.Round(100 * popularity[e] * (e * sources / experts == s ? affinity : 1))).ToArray()).ToArray();
        }
        return ExpertLoad.FromSources(perSource);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
