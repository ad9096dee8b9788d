using Strata.Engine.Cluster;
using Strata.Engine.Hardware;
using Strata.Simulation.Workloads;
using Strata.Engine;

namespace Strata.Simulation.Tests.Cost;

/// <summary>
/// The roofline model against published vLLM measurements (docs/calibration.md), end to end
/// through the simulator: one GPU, no expert parallelism, uniform routing.
/// </summary>
public class CalibrationTests
{
    private static ClusterConfig SingleGpu(GpuSpec gpu, int maxBatched) => new()
    {
        Name = "single-" + gpu.Name,
        Gpu = gpu,
        Model = ModelPresets.Qwen3_30B_A3B,
        DataParallel = 1,
        ExpertParallel = false,
        Engine = new EngineKnobs { MaxNumBatchedTokens = maxBatched, MaxNumSeqs = 256, EnablePrefixCaching = false },
        Routing = new RoutingKnobs { Skew = 0 },
    };

    private static Metrics.SimulationSummary Run(ClusterConfig cluster, IReadOnlyList<RequestSpec> requests)
    {
        var cost = Strata.Engine.Cost.StepCostModels.Create(cluster);
        return new ClusterSimulator(cluster, cost, requests, new SimulationOptions(0, "calibration")).Run();
    }

    /// <summary>One request at a time (concurrency 1), as the A100 reference run.</summary>
    private static RequestSpec[] OneAtATime(int prompt) => Enumerable.Range(0, 10).Select(i => new RequestSpec(i * 10.0, prompt, 128)).ToArray();

    [Theory]
    [InlineData(128, 36.0, 9.6)]
    [InlineData(2048, 81.0, 9.9)]
    public void A100_concurrency_one_matches_vllm(int prompt, double ttftMs, double tpotMs)
    {
        var s = Run(SingleGpu(GpuPresets.A100_80GB, 2048), OneAtATime(prompt));
        Assert.InRange(s.Serving.TtftMs.Mean, ttftMs * 0.85, ttftMs * 1.15);
        Assert.InRange(s.Serving.TpotMs.Mean, tpotMs * 0.9, tpotMs * 1.1);
    }

    [Fact]
    public void A100_tpot_grows_slowly_with_context_as_measured()
    {
        var s = Run(SingleGpu(GpuPresets.A100_80GB, 8192), OneAtATime(8192));
        Assert.InRange(s.Serving.TpotMs.Mean, 10.6 * 0.9, 10.6 * 1.1);
    }

    [Fact]
    public void H100_batch_ten_decode_matches_vllm()
    {
        var requests = Enumerable.Range(0, 10).Select(_ => new RequestSpec(0, 2048, 1024)).ToArray();
        var s = Run(SingleGpu(GpuPresets.H100, 8192), requests);
        Assert.InRange(s.Serving.TpotMs.Mean, 13.18 * 0.9, 13.18 * 1.1);
    }

    /// <summary>
    /// The one fitted setting (docs/calibration.md "Expert parallelism"): the vLLM baseline on
    /// <c>gimbal-a100-fitted</c>, averaged over the five shapes, inside the ranges of the paper's
    /// figures (TTFT ~0.8–2 s, TPOT ~90–210 ms over 1.0–1.4 req/s) and growing toward saturation.
    /// </summary>
    [Fact]
    public void Gimbal_a100_fitted_vllm_baseline_lands_in_the_papers_measured_range()
    {
        var light = BaselineOverShapes("gimbal-a100-fitted", 1.0);
        var heavy = BaselineOverShapes("gimbal-a100-fitted", 1.4);

        Assert.InRange(light.Ttft, 800, 1400);
        Assert.InRange(light.Tpot, 80, 120);
        Assert.InRange(heavy.Ttft, 1600, 2500);
        Assert.InRange(heavy.Tpot, 140, 210);
        Assert.InRange(heavy.Throughput, 1.2, 1.4);
    }

    /// <summary>
    /// The same testbed by mechanism (<c>gimbal-a100</c>: NVLink at NCCL's measured rate, pplx-kernels' published
    /// latency, nothing fitted) is far faster than the paper measured: at 1.4 req/s its vLLM baseline's TTFT and TPOT
    /// are below the paper's figures at 1.0 req/s by more than 2.5× and 3× (docs/calibration.md "Which interconnect").
    /// </summary>
    [Fact]
    public void Gimbal_a100_by_mechanism_is_several_times_faster_than_the_papers_baseline()
    {
        var heavy = BaselineOverShapes("gimbal-a100", 1.4);

        Assert.InRange(heavy.Ttft, 100, 800 / 2.5);
        Assert.InRange(heavy.Tpot, 15, 90 / 3.0);
        Assert.InRange(heavy.Throughput, 1.3, 1.45);
    }

    private static (double Ttft, double Tpot, double Throughput) BaselineOverShapes(string cluster, double rate)
    {
        var runs = new[] { "random", "central", "descending", "two-end", "average" }
            .Select(shape => new Strata.Simulation.Runs.RunSpec { Cluster = cluster, Workload = shape, Rate = rate }.Prepare().Execute().Summary).ToArray();
        return (runs.Average(s => s.Serving.TtftMs.Mean), runs.Average(s => s.Serving.TpotMs.Mean), runs.Average(s => s.Serving.RequestThroughput));
    }
}
