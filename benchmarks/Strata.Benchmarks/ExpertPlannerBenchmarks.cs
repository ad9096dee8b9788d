using BenchmarkDotNet.Attributes;
using Strata.Core.Experts;

namespace Strata.Benchmarks;

/// <summary>
/// Expert planners at DeepSeek-V3 size: 58 MoE layers x 256 experts in 8 groups, either 288 slots on 32 GPUs
/// in 4 nodes (DeepSeek's EP32 prefill with 32 redundant experts) or 320 slots on 64 GPUs in 8 nodes (EP64,
/// 5 slots per GPU). Loads are lognormal (sigma 1, the per-iteration skew TRT-LLM measured for DeepSeek-R1;
/// research/experts.md §1.7), 65,536 token-expert assignments per layer, seeded.
/// </summary>
[MemoryDiagnoser]
public class ExpertPlannerBenchmarks
{
    private ExpertLoad _load = null!;
    private PlacementShape _shape = null!;
    private IExpertPlanner _planner = null!;

    [Params("contiguous", "eplb", "balanced", "gimbal-anchor")]
    public string Planner { get; set; } = "eplb";

    /// <summary>GPUs x slots / nodes.</summary>
    [Params("32x288/4", "64x320/8")]
    public string Shape { get; set; } = "32x288/4";

    [GlobalSetup]
    public void Setup()
    {
        _load = DeepSeekLikeLoad(layers: 58, experts: 256, seed: 1);
        _shape = Shape == "32x288/4" ? new PlacementShape(ranks: 32, physicalSlots: 288, nodes: 4, expertGroups: 8) : new PlacementShape(ranks: 64, physicalSlots: 320, nodes: 8, expertGroups: 8);
        _planner = ExpertPlanners.Catalog.Create(new Strata.Core.Policies.PolicyOptions(Planner, section: "experts"));
    }

    [Benchmark]
    public ExpertPlacement Plan() => _planner.Plan(_load, _shape, null);

    public static ExpertLoad DeepSeekLikeLoad(int layers, int experts, int seed)
    {
        var random = new Random(seed);
        var rows = new double[layers][];
        for (var layer = 0; layer < layers; layer++)
        {
            var popularity = new double[experts];
            for (var e = 0; e < experts; e++)
            {
                var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                popularity[e] = Math.Exp(gaussian);
            }
            var total = popularity.Sum();
            rows[layer] = popularity.Select(p => Math.Round(65536 * p / total)).ToArray();
        }
        return new ExpertLoad(rows);
    }
}
