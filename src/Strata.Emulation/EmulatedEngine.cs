using System.Threading.Channels;
using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Engine;
using CorePolicies = Strata.Core.Policies.Policies;

namespace Strata.Emulation;

/// <summary>
/// One vLLM engine core driven by the simulator's model in real time. Like vLLM's busy loop it
/// takes in new and aborted requests, schedules a step with <see cref="EngineCore"/> (batching,
/// KV blocks, prefix cache, preemption, queue policy), waits the step's modelled duration, then
/// hands the sampled tokens to the waiting responses.
/// <para>
/// It is one DP engine of the cluster: with expert parallelism its step is costed as an EP group
/// in which the other DP engines are idle and run dummy batches, so the MoE layers pay the
/// slowest EP rank and the all-to-all for this engine's tokens alone. Lockstep with other
/// emulated engines is not modelled; each steps on its own.
/// </para>
/// </summary>
internal sealed class EmulatedEngine : IRequestObserver, IAsyncDisposable
{
    /// <summary>
    /// Wall time a back-to-back step may start late and still start where the last one ended in
    /// modelled time: timer overshoot (up to ~10 ms on a loaded machine) must not add up over
    /// thousands of steps. Later than that, the machine cannot keep up and the model stretches.
    /// </summary>
    private const double CatchUpWallSeconds = 0.05;

    private readonly Channel<(EmulatedRequest Request, bool Abort)> _inbox =
        Channel.CreateUnbounded<(EmulatedRequest, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<SimRequest, EmulatedRequest> _live = new();
    private readonly EngineCore _core;
    private readonly EpGroup _group;
    private readonly ModelClock _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _nextId;

    public EmulatedEngine(int index, ClusterConfig cluster, IStepCostModel cost, ModelClock clock, string modelName, int seed)
    {
        _clock = clock;
        var queuePolicy = CorePolicies.Queue.Create(cluster.Queue);
        var settings = ClusterMoe.Settings(cluster, queuePolicy);
        var members = new EngineCore[ClusterMoe.EnginesPerGroup(cluster)];
        for (var i = 0; i < members.Length; i++) members[i] = new EngineCore(i, settings, queuePolicy.CreateQueue<SimRequest>(), this);
        _core = members[index % members.Length];
        _group = ClusterMoe.Group(cluster, members, cost, ClusterMoe.GroupCost(cluster, ClusterMoe.Routing(cluster, domains: 1), cost, new Random(seed)));
        MaxModelLen = KvCapacity.MaxModelLen(cluster);
        BlockSize = settings.BlockSize;
        Metrics = new EngineMetrics(modelName, index, cluster, settings.TotalBlocks);
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Longest prompt plus output the engine takes: the model's context, or its whole KV cache if smaller.</summary>
    public int MaxModelLen { get; }

    public int BlockSize { get; }

    public EngineMetrics Metrics { get; }

    /// <summary>Queues a request arriving now; its tokens come through <see cref="EmulatedRequest.Tokens"/>.</summary>
    public EmulatedRequest Submit(RequestSpec spec)
    {
        var now = _clock.Now;
        var sim = new SimRequest(Interlocked.Increment(ref _nextId), spec with { ArrivalTime = now }, _core.Index);
        var request = new EmulatedRequest(sim, now);
        _inbox.Writer.TryWrite((request, false));
        return request;
    }

    /// <summary>The client went away: the engine drops the request and frees its KV blocks.</summary>
    public void Abort(EmulatedRequest request) => _inbox.Writer.TryWrite((request, true));

    private async Task RunAsync(CancellationToken stop)
    {
        var stepEnd = 0.0;
        var backToBack = false;
        try
        {
            while (true)
            {
                var lastArrival = Drain();
                Metrics.OnStep(_core);
                var now = _clock.Now;
                // A request never joins a step that began before it arrived; after an idle spell the step starts now.
                var start = backToBack && now - stepEnd <= CatchUpWallSeconds * _clock.Scale ? Math.Max(stepEnd, lastArrival) : now;
                if ((_core.HasWork ? _group.TryStartStep(start) : null) is not { } seconds)
                {
                    // Idle, or nothing fits until something changes: sleep until a request comes or goes.
                    backToBack = false;
                    await _inbox.Reader.WaitToReadAsync(stop);
                    continue;
                }
                Metrics.OnStep(_core);
                stepEnd = start + seconds;
                await _clock.WaitUntil(stepEnd, stop);
                _group.CompleteStep(stepEnd);
                backToBack = true;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            foreach (var request in _live.Values) request.OnEnded();
            _live.Clear();
        }
    }

    /// <summary>Applies queued arrivals and aborts; returns the latest arrival time among them.</summary>
    private double Drain()
    {
        var lastArrival = double.NegativeInfinity;
        while (_inbox.Reader.TryRead(out var command))
        {
            var (request, abort) = command;
            if (!abort)
            {
                _live.Add(request.Sim, request);
                _core.Add(request.Sim, request.Arrival);
                lastArrival = Math.Max(lastArrival, request.Arrival);
            }
            else if (_live.Remove(request.Sim))
            {
                _core.Abort(request.Sim);
                request.OnEnded();
            }
        }
        return lastArrival;
    }

    void IRequestObserver.OnToken(SimRequest request, double time)
    {
        var emulated = _live[request];
        Metrics.OnToken(emulated, request.OutputTokens, time);
        if (double.IsNaN(request.FirstTokenTime)) request.FirstTokenTime = time;
        request.LastTokenTime = time;
        emulated.OnToken(request.OutputTokens);
    }

    void IRequestObserver.OnFinished(SimRequest request, double time)
    {
        request.FinishTime = time;
        if (!_live.Remove(request, out var emulated)) return;
        Metrics.OnFinished(emulated, time);
        emulated.OnEnded();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
