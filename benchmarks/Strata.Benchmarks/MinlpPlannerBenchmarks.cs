using BenchmarkDotNet.Attributes;
using Strata.Core.Experts;

namespace Strata.Benchmarks;

/// <summary>
/// <c>gimbal-minlp</c>'s local search at DeepSeek-V3 size: 58 MoE layers x 256 experts on each of
/// <see cref="DeepSeekShapes"/>, per-source loads from one DP source per GPU (lognormal popularity, σ = 1 as in
/// <see cref="ExpertPlannerBenchmarks"/>, each source drawing its own lognormal preference per expert),
/// 65,536 token-expert assignments per layer, seeded. With a current placement (EPLB on another window) all
/// three terms are live. Target: under 1 s per plan.
/// </summary>
[MemoryDiagnoser]
public class MinlpPlannerBenchmarks
{
    private const int Layers = 58, Experts = 256;

    private readonly GimbalMinlpPlanner _planner = new();
    private PlacementShape _shape = null!;
    private ExpertLoad _load = null!;
    private ExpertPlacement _current = null!;

    /// <summary>GPUs x slots / nodes.</summary>
    [Params(DeepSeekShapes.Ep32, DeepSeekShapes.Ep64)]
    public string Shape { get; set; } = DeepSeekShapes.Ep32;

    [GlobalSetup]
    public void Setup()
    {
        _shape = DeepSeekShapes.Get(Shape);
        _load = PerSourceLoad(seed: 1, _shape.Ranks);
        _current = new EplbPlanner().Plan(PerSourceLoad(seed: 2, _shape.Ranks), _shape, null);
    }

    [Benchmark]
    public ExpertPlacement Plan() => _planner.Plan(_load, _shape, _current);

    private static ExpertLoad PerSourceLoad(int seed, int sources)
    {
        var random = new Random(seed);
        double Lognormal() => Math.Exp(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        var perSource = new double[Layers][][];
        for (var layer = 0; layer < Layers; layer++)
        {
            var popularity = Enumerable.Range(0, Experts).Select(_ => Lognormal()).ToArray();
            var share = Enumerable.Range(0, sources).Select(_ => popularity.Select(p => p * Lognormal()).ToArray()).ToArray();
            var total = share.Sum(row => row.Sum());
            perSource[layer] = share.Select(row => row.Select(v => Math.Round(65536 * v / total)).ToArray()).ToArray();
        }
        return ExpertLoad.FromSources(perSource);
    }
}
