using BenchmarkDotNet.Attributes;
using Strata.Core.Admission;
using Strata.Core.Dispatch;
using Strata.Core.Policies;
using Strata.Core.Queueing;

namespace Strata.Benchmarks;

/// <summary>
/// One request through the admission stage both worlds run: <see cref="AdmissionController{T}.Arrive"/> (eligibility
/// and views of 64 engines, the dispatch decision, the ledger's dispatch) and its finish, with 32 of the stage's
/// requests running on every engine. <c>Supplied</c> is what the engines' signal source gives: a gateway's scrape
/// (pending prefill and running tokens estimated from the 2,048 requests the router holds), or the simulator's
/// exact stats (nothing to estimate).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(DispatchBenchmarks.PercentileConfig))]
public class AdmissionBenchmarks
{
    private const int Engines = 64;
    private const int RunningPerEngine = 32;

    private AdmissionController<Request> _controller = null!;
    private Request[] _requests = null!;
    private int _next;
    private double _now;

    [Params("vllm-dp", "llmd")]
    public string Policy { get; set; } = "";

    [Params("scrape", "exact")]
    public string Supplied { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var fields = Supplied == "scrape" ? SignalFields.QueueDepth | SignalFields.KvUsage : SignalFields.QueueDepth | SignalFields.KvUsage | SignalFields.PrefillTokens;
        var view = new RouterView(Engines, fields);
        var random = new Random(1);
        for (var e = 0; e < Engines; e++)
        {
            view[e].Publish(new EngineView(e, random.Next(8), RunningPerEngine, random.NextDouble() * 0.9, 0, 0, 0, KvCapacityTokens: 262_144), 0);
            for (var r = 0; r < RunningPerEngine; r++)
            {
                var running = view.Dispatched(e, -1, random.Next(100, 4_000), 0);
                if (r % 2 == 0) running.MarkStarted();
            }
        }
        _controller = new AdmissionController<Request>(new AdmissionLimits(RunningPerEngine + 1, 1000),
            new FirstComeFirstServed().CreateQueue<Request>(), Policies.Dispatch.Create(new PolicyOptions(Policy)), view);
        _requests = Enumerable.Range(0, 1024).Select(i => new Request(i, random)).ToArray();
    }

    [Benchmark]
    public int ArriveAndFinish()
    {
        var request = _requests[_next++ & 1023];
        var routed = _controller.Arrive(request, _now += 0.001).Routed!;
        _controller.Finished(routed);
        return routed.Engine;
    }

    private sealed class Request(long id, Random random) : IAdmissible
    {
        private readonly ulong[] _blocks = Enumerable.Range(0, 64).Select(_ => (ulong)random.NextInt64()).ToArray();

        public QueueEntry Entry => new(id, 0, 1024);

        public DispatchRequest Dispatch => new(id, 1024, BlockHashes: _blocks);

        public double QueueShare => 1;

        public bool HasFailedOn(EngineLedger engine) => false;
    }
}
