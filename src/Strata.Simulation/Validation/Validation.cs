using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Simulation.Metrics;
using Strata.Simulation.Workloads;
using Strata.Engine;
using Strata.Core.Dispatch.PrefixCache;

namespace Strata.Simulation.Validation;

/// <summary>One metric of the comparison: real and simulated value (ms for latencies, requests for queues) and error = (simulated − real) / real.</summary>
public readonly record struct MetricComparison(string Key, double Real, double Simulated, double? ReferenceError)
{
    public double Error => (Simulated - Real) / Real;
}

/// <summary>
/// A recorded run replayed through the simulator, compared metric by metric, with each replayed request's TTFT (s, counted
/// as the run counts it) and the share of prompt tokens the replay's prefix cache served.
/// </summary>
public sealed record ValidationResult(
    RecordedRun Run,
    ClusterConfig Cluster,
    IReadOnlyList<MetricComparison> Metrics,
    IReadOnlyList<(double Time, int Running, int Waiting)> SimulatedQueues,
    IReadOnlyList<double> SimulatedTtfts,
    double SimulatedSeconds,
    double PrefixCacheHitRate)
{
    public MetricComparison this[string key] => Metrics.First(m => m.Key == key);
}

/// <summary>
/// <c>strata validate</c>'s work: replay a recorded run's requests (its arrivals and token counts) on its
/// cluster and compare mean, median, p90 and p99 of TTFT, TPOT and E2E latency with what vLLM measured.
/// Deterministic: the replay has no random draw a dense model uses, and a MoE model's routing draws from seed 0.
/// </summary>
public static class Validation
{
    public static readonly string[] Stats = ["mean", "median", "p90", "p99"];
    public static readonly string[] Latencies = ["ttft", "tpot", "e2el"];

    public static ValidationResult Run(RecordedRun run, ClusterConfig cluster)
    {
        // A prompt's full blocks carry its token content (chained, as vLLM hashes them), so equal leading blocks hit the cache.
        var blocks = new PrefixBlockHasher(cluster.Engine.BlockSize);
        var workload = run.Requests.Select(r => new RequestSpec(r.Arrival, r.PromptTokens, r.OutputTokens)
        {
            Prefix = r.PromptTokenIds is { } ids ? blocks.HashTokens(ids).Select(hash => new PrefixSegment(hash, blocks.BlockSize)).ToArray() : [],
        }).ToArray();
        var cost = StepCostModels.Create(cluster);
        var simulator = new ClusterSimulator(cluster, cost, workload, new SimulationOptions(0, "validate"));
        var summary = simulator.Run();
        var records = simulator.Records.Where(r => !r.Failed).ToArray();
        if (records.Length < workload.Length)
            throw new RecordedRunException(
                $"{run.Source}: the simulated cluster rejected {workload.Length - records.Length} of {workload.Length} requests (longer than max_model_len or the KV cache); check the run's max_model_len and KV block count.");

        var real = new Dictionary<string, LatencyStats>
        {
            ["ttft"] = LatencyStats.Of(run.Requests.Select(r => r.Ttft), 1000),
            ["tpot"] = LatencyStats.Of(run.Requests.Where(r => r.Tpot is not null).Select(r => r.Tpot!.Value), 1000),
            ["e2el"] = LatencyStats.Of(run.Requests.Select(r => r.E2el), 1000),
        };
        var ttfts = records.Select(r => run.FromIntake ? r.EngineTtft : r.Ttft).ToArray();
        var simulated = new Dictionary<string, LatencyStats>
        {
            ["ttft"] = LatencyStats.Of(ttfts, 1000),
            ["tpot"] = LatencyStats.Of(records.Where(r => r.OutputTokens > 1).Select(r => r.Tpot), 1000),
            ["e2el"] = LatencyStats.Of(records.Select(r => run.FromIntake ? r.EngineE2el : r.E2el), 1000),
        };
        var metrics = new List<MetricComparison>();
        foreach (var latency in Latencies)
            foreach (var stat in Stats)
            {
                var key = $"{stat}_{latency}_ms";
                metrics.Add(new MetricComparison(key, Pick(real[latency], stat), Pick(simulated[latency], stat),
                    run.ReferenceErrors.TryGetValue(key, out var reference) ? reference : null));
            }
        // TTFT split at the first scheduling: queueing, then the prefill steps (vLLM records scheduled_ts).
        if (run.Requests.All(r => r.Queue is not null))
        {
            metrics.Add(new MetricComparison("mean_queue_ms", run.Requests.Average(r => r.Queue!.Value) * 1000, records.Average(r => r.EngineQueueTime) * 1000, null));
            metrics.Add(new MetricComparison("mean_prefill_ms", run.Requests.Average(r => r.Ttft - r.Queue!.Value) * 1000, records.Average(r => r.FirstToken - r.FirstScheduled) * 1000, null));
        }
        // Requests running and waiting, averaged over the run (vLLM logs them once a second, the simulator at every stats publication).
        if (run.Queues.Count > 0 && simulator.QueueSamples.Count > 0)
        {
            metrics.Add(new MetricComparison("mean_running", run.Queues.Average(q => q.Running), simulator.QueueSamples.Average(q => q.Running), null));
            metrics.Add(new MetricComparison("mean_waiting", run.Queues.Average(q => q.Waiting), simulator.QueueSamples.Average(q => q.Waiting), null));
        }
        return new ValidationResult(run, cluster, metrics, simulator.QueueSamples, ttfts, summary.Serving.Duration, summary.PrefixCacheHitRate);
    }

    private static double Pick(LatencyStats s, string stat) => stat switch
    {
        "mean" => s.Mean,
        "median" => s.Median,
        "p90" => s.P90,
        _ => s.P99,
    };
}
