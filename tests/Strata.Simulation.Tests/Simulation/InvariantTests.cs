using Strata.Engine.Cluster;
using Strata.Simulation.Metrics;
using Strata.Simulation.Workloads;
using Strata.Engine;

namespace Strata.Simulation.Tests.Simulation;

/// <summary>
/// One test per invariant of docs/invariants.md, checked after every event, for every queue policy (with
/// vllm-dp) and every dispatch policy (with fcfs), on a workload that preempts and hits the prefix cache.
/// </summary>
public class InvariantTests
{
    public static TheoryData<string, string> Stacks()
    {
        var stacks = new TheoryData<string, string>();
        foreach (var queue in Strata.Core.Policies.Policies.Queue.Names) stacks.Add(queue, "vllm-dp");
        foreach (var dispatch in Strata.Core.Policies.Policies.Dispatch.Names.Where(d => d != "vllm-dp")) stacks.Add("fcfs", dispatch);
        // Behind the gateway's admission stage: its queue holds what the engines cannot take yet.
        stacks.Add(GatewayPrefix + "sjf-aging", "vllm-dp");
        stacks.Add(GatewayPrefix + "fcfs", "prefix-pressure");
        return stacks;
    }

    /// <summary>A queue named with this prefix orders the gateway stage's queue (max_in_flight 24), and the engines run FCFS.</summary>
    private const string GatewayPrefix = "gateway:";

    private static ClusterConfig Stack(string queue, string dispatch) => TightCluster() with
    {
        Queue = new Strata.Core.Policies.PolicyOptions(queue.StartsWith(GatewayPrefix) ? "fcfs" : queue, new Dictionary<string, string>(), "queue"),
        Dispatch = new Strata.Core.Policies.PolicyOptions(dispatch, new Dictionary<string, string>(), "dispatch"),
        Gateway = queue.StartsWith(GatewayPrefix)
            ? new GatewayStage(24, new Strata.Core.Policies.PolicyOptions(queue[GatewayPrefix.Length..], section: "gateway.queue"))
            : null,
    };

    /// <summary>
    /// A cluster with a deliberately small KV cache (high gpu_memory_utilization pressure) so
    /// runs preempt, plus a shared system prompt so prefix caching hits.
    /// </summary>
    private static ClusterConfig TightCluster() => TestCluster.Qwen3OnTwoA100(maxNumSeqs: 64, maxBatched: 512) with
    {
        Engine = new EngineKnobs { MaxNumSeqs = 64, MaxNumBatchedTokens = 512, GpuMemoryUtilization = 0.47, EnablePrefixCaching = true },
    };

    private static IReadOnlyList<RequestSpec> Workload(int seed) =>
        TestCluster.Poisson(300, rate: 40, seed, minPrompt: 200, maxPrompt: 3000, maxOutput: 400)
            .Select((r, i) => i % 3 == 0 ? r with { Prefix = [new PrefixSegment(1234, 150)] } : r)
            .ToList();

    private static (ClusterSimulator Simulator, SimulationSummary Summary) RunChecked(Action<ClusterSimulator, double> check, int seed = 3,
        ClusterConfig? cluster = null)
    {
        var simulator = new ClusterSimulator(cluster ?? TightCluster(), new TestCluster.LinearStepCost(), Workload(seed), new SimulationOptions(seed, "tight"));
        simulator.AfterEvent = time => check(simulator, time);
        var summary = simulator.Run();
        Assert.True(summary.Preemptions > 0, "the workload must exercise preemption");
        Assert.True(summary.PrefixCacheHitRate > 0, "the workload must exercise prefix hits");
        return (simulator, summary);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void RequestsConserved(string queue, string dispatch)
    {
        var cluster = Stack(queue, dispatch);
        var gatewayQueued = 0;
        var (simulator, summary) = RunChecked((sim, _) =>
        {
            gatewayQueued = Math.Max(gatewayQueued, sim.GatewayQueued);
            var queued = sim.Engines.Sum(e => e.WaitingCount + e.RunningCount);
            Assert.Equal(sim.InFlight, queued);
            Assert.Equal(sim.Arrived, sim.Records.Count + sim.InFlight + sim.GatewayQueued);
        }, cluster: cluster);
        Assert.Equal(0, simulator.InFlight + simulator.GatewayQueued);
        Assert.Equal(cluster.Gateway is not null, gatewayQueued > 0);
        Assert.Equal(300, summary.Serving.Completed + summary.Serving.Failed);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void KvBlocksConserved(string queue, string dispatch)
    {
        var cluster = Stack(queue, dispatch);
        RunChecked((sim, _) =>
        {
            foreach (var engine in sim.Engines)
            {
                Assert.Equal(engine.Kv.TotalBlocks, engine.Kv.FreeBlocks + engine.Kv.HeldBlocks());
                foreach (var request in engine.Running)
                    Assert.All(request.Blocks, block => Assert.True(engine.Kv.RefCount(block) > 0));
                // Every held block is a running request's: a waiting (or preempted) request holds none.
                Assert.Equal(engine.Kv.HeldBlocks(), engine.Running.SelectMany(r => r.Blocks).Distinct().Count());
            }
        }, cluster: cluster);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void StepWithinBudget(string queue, string dispatch)
    {
        var cluster = Stack(queue, dispatch);
        RunChecked((sim, _) =>
        {
            foreach (var engine in sim.Engines)
            {
                Assert.InRange(engine.LastBatch.Tokens, 0, engine.Settings.MaxNumBatchedTokens);
                Assert.InRange(engine.RunningCount, 0, engine.Settings.MaxNumSeqs);
            }
        }, cluster: cluster);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void TtftWithinE2el(string queue, string dispatch)
    {
        var cluster = Stack(queue, dispatch);
        var (simulator, _) = RunChecked((_, _) => { }, cluster: cluster);
        Assert.All(simulator.Records.Where(r => !r.Failed), r =>
        {
            Assert.True(r.Arrival <= r.FirstScheduled && r.FirstScheduled <= r.FirstToken && r.FirstToken <= r.Finish);
            Assert.True(r.Ttft > 0 && r.Ttft <= r.E2el);
            Assert.True(r.Tpot >= 0);
        });
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void OutputTokensDelivered(string queue, string dispatch)
    {
        var cluster = Stack(queue, dispatch);
        var workload = Workload(3);
        var (simulator, summary) = RunChecked((_, _) => { }, cluster: cluster);
        Assert.All(simulator.Records.Where(r => !r.Failed), r => Assert.Equal(workload[(int)r.Id].OutputTokens, r.OutputTokens));
        Assert.Equal(simulator.Records.Where(r => !r.Failed).Sum(r => (long)r.OutputTokens), summary.Serving.TotalOutputTokens);
    }

    [Fact]
    public void SameSeedSameBytes()
    {
        static byte[] Json(int seed)
        {
            var summary = new ClusterSimulator(TightCluster(), new TestCluster.LinearStepCost(), Workload(seed), new SimulationOptions(seed, "tight")).Run();
            using var stream = new MemoryStream();
            SummaryJson.Write(summary, stream);
            return stream.ToArray();
        }
        Assert.Equal(Json(5), Json(5));
        Assert.NotEqual(Json(5), Json(6));
    }

    [Fact]
    public void PreciseIndexMirrorsEngines()
    {
        var precise = TightCluster() with
        {
            Dispatch = new Strata.Core.Policies.PolicyOptions("llmd", new Dictionary<string, string> { ["prefix_mode"] = "precise" }, "dispatch"),
        };
        var checks = 0;
        RunChecked((sim, _) =>
        {
            var index = ((Strata.Core.Dispatch.PrefixCache.PrefixAffinity)sim.KvEvents!).Index;
            foreach (var engine in sim.Engines)
            {
                var cached = engine.Kv.SharedCachedHashes().ToArray();
                Assert.Equal(cached.Length, index.Count(engine.Index));
                Assert.All(cached, hash => Assert.True(index.Contains(engine.Index, hash)));
                checks += cached.Length;
            }
        }, cluster: precise);
        Assert.True(checks > 0, "the index must have mirrored some blocks");
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void WorkConserved(string queue, string dispatch)
    {
        var idleChecks = 0;
        RunChecked((sim, _) =>
        {
            foreach (var group in sim.Groups.Where(g => !g.Busy))
            {
                Assert.All(group.Engines, engine => Assert.False(engine.HasWork, $"engine {engine.Index} has work while its EP group is idle"));
                idleChecks++;
            }
        }, cluster: Stack(queue, dispatch));
        Assert.True(idleChecks > 0, "the run must have idle moments to check");
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void ClockMonotonic(string queue, string dispatch)
    {
        var last = double.NegativeInfinity;
        RunChecked((_, time) =>
        {
            Assert.True(time >= last, $"event at {time} after one at {last}");
            last = time;
        }, cluster: Stack(queue, dispatch));
    }
}
