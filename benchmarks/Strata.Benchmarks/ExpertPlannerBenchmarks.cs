using BenchmarkDotNet.Attributes;
using Strata.Core.Experts;

namespace Strata.Benchmarks;

/// <summary>
/// Expert planners at DeepSeek-V3 size: 58 MoE layers x 256 experts on each of <see cref="DeepSeekShapes"/>. Loads are lognormal (sigma 1, the per-iteration skew TRT-LLM measured for DeepSeek-R1;
/// TensorRT-LLM tech blog 4, Table 1: max/mean 11.9 per decode iteration), 65,536 token-expert assignments per layer, seeded, split over five traffic classes
/// (for <c>class-balanced</c>; the others read the total only).
/// </summary>
[MemoryDiagnoser]
public class ExpertPlannerBenchmarks
{
    private ExpertLoad _load = null!;
    private PlacementShape _shape = null!;
    private IExpertPlanner _planner = null!;

    [Params("contiguous", "eplb", "balanced", "class-balanced", "gimbal-anchor")]
    public string Planner { get; set; } = "eplb";

    /// <summary>GPUs x slots / nodes.</summary>
    [Params(DeepSeekShapes.Ep32, DeepSeekShapes.Ep64)]
    public string Shape { get; set; } = DeepSeekShapes.Ep32;

    [GlobalSetup]
    public void Setup()
    {
        _load = DeepSeekLikeLoad(layers: 58, experts: 256, seed: 1);
        _shape = DeepSeekShapes.Get(Shape);
        _planner = ExpertPlanners.Catalog.Create(new Strata.Core.Policies.PolicyOptions(Planner, section: "experts"));
    }

    [Benchmark]
    public ExpertPlacement Plan() => _planner.Plan(_load, _shape, null);

    public const int Classes = 5;

    public static ExpertLoad DeepSeekLikeLoad(int layers, int experts, int seed)
    {
        var random = new Random(seed);
        var rows = new double[layers][];
        for (var layer = 0; layer < layers; layer++)
        {
            var popularity = Lognormal(random, experts);
            var total = popularity.Sum();
            rows[layer] = popularity.Select(p => Math.Round(65536 * p / total)).ToArray();
        }
        // Each class tilts the same total by its own lognormal preference, so the classes sum to the rows exactly.
        var perClass = rows.Select(row =>
        {
            var tilt = Enumerable.Range(0, Classes).Select(_ => Lognormal(random, experts)).ToArray();
            return tilt.Select(t => row.Select((load, e) => load * t[e] / tilt.Sum(c => c[e])).ToArray()).ToArray();
        }).ToArray();
        return new ExpertLoad(rows, perClass: perClass);
    }

    private static double[] Lognormal(Random random, int count) => Enumerable.Range(0, count)
        .Select(_ => Math.Exp(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
}
