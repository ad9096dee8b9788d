using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Engine.Hardware;
using Strata.Simulation.Workloads;
using Strata.Engine;

namespace Strata.Simulation.Tests;

/// <summary>Small clusters and workloads for tests that check scheduling semantics, not timing.</summary>
internal static class TestCluster
{
    public static ClusterConfig Qwen3OnTwoA100(int maxNumSeqs = 256, int maxBatched = 2048, bool prefixCaching = true) => new()
    {
        Name = "test-a100x2",
        Gpu = GpuPresets.A100_80GB,
        Model = ModelPresets.Qwen3_30B_A3B,
        DataParallel = 2,
        Engine = new EngineKnobs { MaxNumSeqs = maxNumSeqs, MaxNumBatchedTokens = maxBatched, EnablePrefixCaching = prefixCaching },
    };

    /// <summary>A fixed cost per step plus a cost per token: enough to order events, nothing more.</summary>
    public sealed class LinearStepCost(double stepSeconds = 0.005, double tokenSeconds = 20e-6) : IStepCostModel
    {
        public double EngineSeconds(in BatchShape batch) => stepSeconds + batch.Tokens * tokenSeconds;
        public double MoeLayerSeconds(double assignments, double activatedExperts) => 1e-6 * activatedExperts;
    }

    public static IReadOnlyList<RequestSpec> Poisson(int count, double rate, int seed, int minPrompt = 100, int maxPrompt = 4000, int maxOutput = 300)
    {
        var random = new Random(seed);
        var time = 0.0;
        var list = new List<RequestSpec>();
        for (var i = 0; i < count; i++)
        {
            time += -Math.Log(1 - random.NextDouble()) / rate;
            list.Add(new RequestSpec(time, random.Next(minPrompt, maxPrompt), random.Next(1, maxOutput)));
        }
        return list;
    }
}
