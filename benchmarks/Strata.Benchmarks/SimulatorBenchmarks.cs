using BenchmarkDotNet.Attributes;
using Strata.Simulation.Runs;

namespace Strata.Benchmarks;

/// <summary>
/// Simulator throughput: the gimbal-a100 preset with 1,000 requests at 1.4 req/s (issue #2's
/// target: well under a second). Workload generation and validation are outside the timed part.
/// </summary>
[MemoryDiagnoser]
public class SimulatorBenchmarks
{
    private PreparedRun _run = null!;

    [Params("random", "chat")]
    public string Workload { get; set; } = "random";

    [GlobalSetup]
    public void Setup() => _run = new RunSpec { Cluster = "gimbal-a100", Workload = Workload, Rate = 1.4, Requests = 1000, Seed = 1 }.Prepare();

    [Benchmark]
    public double Simulate1000Requests() => _run.Execute().Summary.Serving.Duration;
}
