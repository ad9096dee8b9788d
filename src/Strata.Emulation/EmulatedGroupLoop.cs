using System.Threading.Channels;
using Strata.Engine;
using Strata.Engine.Cluster;

namespace Strata.Emulation;

/// <summary>
/// One lockstep group of an emulated server's engine cores (<see cref="EpGroup"/>) driven in real time. Like vLLM's
/// busy loop it takes in new and aborted requests, schedules a step on every core of the group with
/// <see cref="EngineCore"/> (batching, KV blocks, prefix cache, preemption, queue policy), waits the step's modelled
/// duration, then hands the sampled tokens to the waiting responses.
/// <para>
/// With expert parallelism the group is all DP ranks of the server: they step as one, a rank with nothing to run
/// runs a dummy batch, and every rank waits for the slowest (vLLM's DP semantics, in <see cref="EpGroup"/>); without
/// it each rank is a group of its own and steps alone. Cores of the group that no client reaches (the other DP
/// engines of the cluster when a server emulates one DP engine of it) only ever run dummy batches.
/// </para>
/// </summary>
internal sealed class EmulatedGroupLoop : IAsyncDisposable
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
    private readonly EngineCluster _cluster;
    private readonly int _group;
    private readonly EpGroup _steps;
    private readonly ModelClock _clock;
    private readonly DataParallelRouter _router;
    private readonly (EngineCore Core, int Rank, EngineMetrics Metrics)[] _ranks;
    private readonly EngineMetrics?[] _metricsOfEngine;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="rankOfEngine">Per engine core of the cluster, its rank on the server; -1 for a core no client reaches.</param>
    /// <param name="metricsOfEngine">Per engine core of the cluster, its metrics; null for a core no client reaches.</param>
    public EmulatedGroupLoop(EngineCluster cluster, int group, ModelClock clock, DataParallelRouter router, int[] rankOfEngine, EngineMetrics?[] metricsOfEngine)
    {
        _cluster = cluster;
        _group = group;
        _steps = cluster.Groups[group];
        _clock = clock;
        _router = router;
        _metricsOfEngine = metricsOfEngine;
        _ranks = _steps.Engines.Where(core => rankOfEngine[core.Index] >= 0)
            .Select(core => (core, rankOfEngine[core.Index], metricsOfEngine[core.Index]!)).ToArray();
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Queues a request for one of the group's cores; the caller holds the router's gate, so the next publication counts it.</summary>
    public void Enqueue(EmulatedRequest request) => _inbox.Writer.TryWrite((request, false));

    /// <summary>The client went away: the core drops the request and frees its KV blocks.</summary>
    public void Abort(EmulatedRequest request) => _inbox.Writer.TryWrite((request, true));

    private async Task RunAsync(CancellationToken stop)
    {
        var stepEnd = 0.0;
        var backToBack = false;
        try
        {
            while (true)
            {
                var lastArrival = TakeInAndPublish();
                OnStep();
                var now = _clock.Now;
                // A request never joins a step that began before it arrived; after an idle spell the step starts now.
                var start = backToBack && now - stepEnd <= CatchUpWallSeconds * _clock.Scale ? Math.Max(stepEnd, lastArrival) : now;
                if (_steps.TryStartStep(start) is not { } seconds)
                {
                    // Idle, or nothing fits until something changes: sleep until a request comes or goes.
                    backToBack = false;
                    await _inbox.Reader.WaitToReadAsync(stop);
                    continue;
                }
                OnStep();
                stepEnd = start + seconds;
                await _clock.WaitUntil(stepEnd, stop);
                _steps.CompleteStep(stepEnd);
                _cluster.AfterStep(_group);
                backToBack = true;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            foreach (var request in _live.Values) request.OnEnded();
            _live.Clear();
        }
    }

    /// <summary>Applies queued arrivals and aborts, then publishes the ranks' state to the balancer; returns the latest arrival among them.</summary>
    private double TakeInAndPublish()
    {
        lock (_router.Gate)
        {
            var lastArrival = Drain();
            var now = _clock.Now;
            foreach (var (core, rank, _) in _ranks)
                _router.Publish(rank, core.Snapshot(rank, _cluster.KvCapacityTokens) with { ExpertPressure = _cluster.Pressure(core.Index) }, now);
            return lastArrival;
        }
    }

    private double Drain()
    {
        var lastArrival = double.NegativeInfinity;
        while (_inbox.Reader.TryRead(out var command))
        {
            var (request, abort) = command;
            var core = _cluster.Engines[request.Sim.Engine];
            if (!abort)
            {
                _live.Add(request.Sim, request);
                core.Add(request.Sim, request.Arrival);
                lastArrival = Math.Max(lastArrival, request.Arrival);
            }
            else if (_live.Remove(request.Sim))
            {
                core.Abort(request.Sim);
                request.OnEnded();
            }
        }
        return lastArrival;
    }

    /// <summary>Gauges and cumulative counters of every rank, read from its core.</summary>
    private void OnStep()
    {
        foreach (var (core, _, metrics) in _ranks) metrics.OnStep(core);
    }

    /// <summary>A core of this group sampled a token for <paramref name="request"/> (called on this loop's thread).</summary>
    public void OnToken(SimRequest request, double time)
    {
        var emulated = _live[request];
        _metricsOfEngine[request.Engine]!.OnToken(emulated, request.OutputTokens, time);
        if (double.IsNaN(request.FirstTokenTime)) request.FirstTokenTime = time;
        request.LastTokenTime = time;
        emulated.OnToken(request.OutputTokens);
    }

    /// <summary>A core of this group finished <paramref name="request"/> (called on this loop's thread).</summary>
    public void OnFinished(SimRequest request, double time)
    {
        request.FinishTime = time;
        if (!_live.Remove(request, out var emulated)) return;
        _metricsOfEngine[request.Engine]!.OnFinished(emulated, time);
        emulated.OnEnded();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
