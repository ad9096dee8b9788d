using Strata.Core.Policies;
using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Serving.Gateway.Admission;
using Strata.Serving.Gateway.Backends;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Metrics;
using Strata.Serving.OpenAi;
using Strata.Simulation;
using Strata.Simulation.Workloads;

namespace Strata.Serving.Tests.Parity;

/// <summary>
/// One policy, two worlds: the simulator's <c>gateway:</c> stage and <c>strata serve</c>'s per-model scheduler, given
/// the same request sequence (arrivals, and each answer's end at the time the simulated engines finished it), place
/// every request on the same engine at the same moment. The dispatch policy reads only what both worlds know alike
/// (its own cursor and the gateway's eligibility), so any difference is in admission: queue order, max_in_flight,
/// when the queue moves.
/// </summary>
public sealed class AdmissionParityTests
{
    [Theory]
    [InlineData("fcfs", 2)]
    [InlineData("sjf-aging", 2)]
    [InlineData("sjf-continuous", 3)]
    [InlineData("priority", 1)]
    public async Task The_simulated_gateway_stage_and_the_gateways_scheduler_decide_alike(string queue, int maxInFlight)
    {
        var workload = WorkloadCatalog.Open(new WorkloadOptions("random", Rate: 6, Requests: 120, Seed: 7)).Requests;
        var cluster = ClusterFile.Load("rtxpro6000-dp2ep2") with
        {
            Dispatch = new PolicyOptions("round-robin", section: "dispatch"),
            Gateway = new GatewayStage(maxInFlight, new PolicyOptions(queue, section: "gateway.queue")),
        };
        var simulator = new ClusterSimulator(cluster, StepCostModels.Create(cluster), workload, new SimulationOptions(7, "random", 6, 1.0));
        var simulated = new Dictionary<int, (int Engine, double Time)>();
        simulator.Dispatched = (id, engine, time) => simulated.Add(id, (engine, time));
        simulator.Run();
        Assert.Equal(workload.Count, simulated.Count);
        Assert.Contains(simulated, s => s.Value.Time > workload[s.Key].ArrivalTime); // the queue was used, not only the fast path

        var served = await Replay(workload, simulator.Records, cluster.DataParallel, queue, maxInFlight);

        Assert.Equal(simulated.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Engine, Math.Round(p.Value.Time, 6))),
            served.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Engine, Math.Round(p.Value.Time, 6))));
    }

    /// <summary>
    /// Drives the gateway's <see cref="ModelScheduler"/> with the simulated run's events in the simulator's order at
    /// equal times (arrivals first, then answers in the order the engines finished them), on a clock moved by hand.
    /// </summary>
    private static async Task<Dictionary<int, (int Engine, double Time)>> Replay(IReadOnlyList<Strata.Engine.RequestSpec> workload,
        IReadOnlyList<Strata.Simulation.Metrics.RequestRecord> records, int engines, string queue, int maxInFlight)
    {
        var time = new ManualTime();
        var epoch = time.GetTimestamp();
        var backends = Enumerable.Range(0, engines).Select(i => new Backend(new EngineTarget(new Uri($"http://engine{i}:8000")), EngineType.Vllm, time)).ToList();
        var settings = new ModelSettings("m", EngineType.Vllm, backends.Select(b => b.Target).ToList(), maxInFlight, 1 << 20,
            new QueueSettings(new PolicyOptions(queue, section: "queue"), 1000, TimeSpan.FromDays(1)), new PolicyOptions("round-robin", section: "dispatch"));
        var scheduler = new ModelScheduler(settings, backends, panic: false, time, epoch, new GatewayMetrics());

        var events = workload.Select((spec, id) => (Time: spec.ArrivalTime, Kind: 0, Order: id, Id: id))
            .Concat(records.Select((record, order) => (Time: record.Finish, Kind: 1, Order: order, Id: (int)record.Id)))
            .OrderBy(e => e.Time).ThenBy(e => e.Kind).ThenBy(e => e.Order);
        var admitted = new Dictionary<int, Task<BackendLease>>();
        var served = new Dictionary<int, (int Engine, double Time)>();
        var finished = 0;
        foreach (var e in events)
        {
            time.MoveTo(epoch, e.Time);
            if (e.Kind == 0)
            {
                var spec = workload[e.Id];
                var request = new CompletionRequest("m", true, spec.OutputTokens, "max_tokens", true, null, null, default, new int[spec.PromptTokens], 0);
                admitted[e.Id] = scheduler.AdmitAsync(new AdmissionTicket(e.Id, request, null, 0, null, time.GetTimestamp(), spec.ArrivalTime), CancellationToken.None);
            }
            else
            {
                (await admitted[e.Id]).Release(LeaseEnd.EngineAnswered);
                finished++;
            }
            // A queued request's task completes on the thread pool once the scheduler placed it (synchronously, in this
            // event): wait for as many as it placed, so each dispatch is stamped with the event that caused it.
            var placed = finished + backends.Sum(b => b.InFlight);
            Assert.True(SpinWait.SpinUntil(() => admitted.Values.Count(t => t.IsCompleted) == placed, TimeSpan.FromSeconds(10)));
            foreach (var (id, task) in admitted.Where(a => a.Value.IsCompleted && !served.ContainsKey(a.Key)).ToList())
                served[id] = (backends.IndexOf((await task).Backend), e.Time);
        }
        return served;
    }

    /// <summary>A clock the test moves by hand, to the simulated times.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void MoveTo(long epoch, double seconds) => _ticks = Math.Max(_ticks, epoch + (long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }
}
