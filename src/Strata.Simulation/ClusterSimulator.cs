using System.Runtime.CompilerServices;
using Strata.Core.Dispatch;
using Strata.Core.Experts;
using Strata.Core.Queueing;
using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Engine.Hardware;
using Strata.Engine;
using Strata.Simulation.Events;
using Strata.Simulation.Metrics;
using Strata.Engine.Moe;
using Strata.Simulation.Workloads;
using CorePolicies = Strata.Core.Policies.Policies;

namespace Strata.Simulation;

/// <summary>
/// A discrete-event simulation of a data-parallel (and expert-parallel) MoE serving cluster
/// with vLLM V1 engine semantics, driven by a workload and one policy stack. Virtual time only:
/// it never reads a clock, and the same inputs and seed give the same bytes.
/// </summary>
public sealed class ClusterSimulator
{
    private readonly ClusterConfig _config;
    private readonly IReadOnlyList<RequestSpec> _workload;
    private readonly SimulationOptions _options;
    private readonly EngineCore[] _engines;
    private readonly EpGroup[] _groups;
    private readonly int[] _groupOfEngine;
    private readonly StatsRouter _router;
    private readonly MetricsCollector _metrics = new();
    private readonly PriorityQueue<SimEvent, (double Time, EventPriority Priority, long Sequence)> _events = new();
    private readonly double[] _kvUsage;
    private readonly RoutingModel? _routing;
    private readonly double[] _pressure;
    private readonly ExpertRebalancer?[] _rebalancers;
    private readonly Dictionary<string, int> _domains;
    private readonly int _maxModelLen;
    private readonly long _kvCapacityTokens;
    private long _sequence;
    private int _arrived;
    private int _outstanding;
    private bool _ran;

    public ClusterSimulator(ClusterConfig config, IStepCostModel cost, IReadOnlyList<RequestSpec> workload, SimulationOptions options)
    {
        _config = config;
        _workload = workload;
        _options = options;
        var blocks = KvCapacity.BlocksPerEngine(config);
        _kvCapacityTokens = (long)blocks * config.Engine.BlockSize;
        _maxModelLen = (int)Math.Min(config.Engine.MaxModelLen ?? config.Model.MaxModelLen, _kvCapacityTokens);

        // Request domains index the routing model's per-domain expert preferences; no domain is one more.
        _domains = workload.Select(r => r.Domain ?? "").Distinct().Order(StringComparer.Ordinal)
            .Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        if (_domains.Count == 0) _domains[""] = 0;

        var queuePolicy = CorePolicies.Queue.Create(config.Queue);
        var settings = ClusterMoe.Settings(config, queuePolicy);
        _engines = new EngineCore[config.DataParallel];
        for (var i = 0; i < _engines.Length; i++)
            _engines[i] = new EngineCore(i, settings, queuePolicy.CreateQueue<SimRequest>(), _metrics, _domains.Count);
        _kvUsage = new double[_engines.Length];
        _pressure = new double[_engines.Length];

        var random = new Random(options.Seed);
        var model = config.Model;
        _routing = ClusterMoe.Routing(config, _domains.Count);
        var enginesPerGroup = ClusterMoe.EnginesPerGroup(config);
        double[]? workloadShares = null;
        _groups = new EpGroup[_engines.Length / enginesPerGroup];
        _rebalancers = new ExpertRebalancer?[_groups.Length];
        _groupOfEngine = new int[_engines.Length];
        for (var g = 0; g < _groups.Length; g++)
        {
            var members = _engines.Skip(g * enginesPerGroup).Take(enginesPerGroup).ToArray();
            foreach (var engine in members) _groupOfEngine[engine.Index] = g;
            var moe = ClusterMoe.GroupCost(config, _routing, cost, random);
            _groups[g] = ClusterMoe.Group(config, members, cost, moe);
            if (moe is null || _routing is null) continue;
            var shape = ClusterMoe.Shape(config);
            var planner = (options.Planners ?? ExpertPlanners.Catalog).Create(config.Experts.Planner);
            if (shape.Ranks == 1 || !planner.ReadsLoad) continue;
            var rebalancer = _rebalancers[g] = new ExpertRebalancer(planner, shape, _routing, model,
                config.Experts.StepInterval, config.Experts.WindowSize, members.Length, config.TensorParallel, config.Gpu.LinkGbps);
            if (config.Experts.WarmStart)
                moe.Retabulate(rebalancer.SteadyState(workloadShares ??= DomainShares(workload), members.Length), workloadShares);
        }
        _router = new StatsRouter(CorePolicies.Dispatch.Create(config.Dispatch), _engines.Length);
        if (_router.KvEvents is { } events)
            foreach (var engine in _engines) engine.Kv.PublishEvents(events, engine.Index);
    }

    /// <summary>Requests running and waiting over all engines at every stats publication (as vLLM's per-second log lines report them).</summary>
    public IReadOnlyList<(double Time, int Running, int Waiting)> QueueSamples => _queueSamples;

    private readonly List<(double Time, int Running, int Waiting)> _queueSamples = [];

    /// <summary>Per-request records of the last run, in completion order.</summary>
    public IReadOnlyList<RequestRecord> Records => _metrics.Records;

    /// <summary>Called after every event with its time; tests check the invariants there (docs/invariants.md).</summary>
    internal Action<double>? AfterEvent { get; set; }

    internal IReadOnlyList<EngineCore> Engines => _engines;

    internal IReadOnlyList<EpGroup> Groups => _groups;

    /// <summary>The precise prefix index the engines' KV events feed, if the dispatch policy keeps one.</summary>
    internal Strata.Core.Dispatch.PrefixCache.IKvEventSink? KvEvents => _router.KvEvents;

    /// <summary>The engine views the router last received from the engines' stats.</summary>
    internal IReadOnlyList<EngineView> LastPublishedViews => _router.Published;

    /// <summary>Requests that arrived so far, and those dispatched but not finished.</summary>
    internal int Arrived => _arrived;
    internal int InFlight => _outstanding;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SimulationSummary Run()
    {
        if (_ran) throw new InvalidOperationException("A simulator runs once; build a new one for another run.");
        _ran = true;
        if (_workload.Count > 0)
        {
            Schedule(new RequestArrival(_workload[0].ArrivalTime, 0));
            Schedule(new StatsPublished(0));
            if (_routing is not null && _config.Routing.DriftIntervalSeconds > 0) Schedule(new DriftEpoch(_config.Routing.DriftIntervalSeconds));
        }
        while (_events.TryDequeue(out var next, out _))
        {
            next.Handle(this);
            AfterEvent?.Invoke(next.Time);
        }
        return SummaryBuilder.Build(_config, _options, _engines, _groups, _rebalancers, _metrics);
    }

    internal void OnArrival(RequestArrival arrival)
    {
        var spec = _workload[arrival.Index];
        var now = arrival.Time;
        _arrived++;
        if (arrival.Index + 1 < _workload.Count)
            Schedule(new RequestArrival(Math.Max(now, _workload[arrival.Index + 1].ArrivalTime), arrival.Index + 1));

        if (spec.PromptTokens + spec.OutputTokens > _maxModelLen)
        {
            _metrics.OnRejected(new SimRequest(arrival.Index, spec, engine: -1));
            return;
        }
        // Content hashes are engine-independent: a prefix-aware router matches on them, the engine caches by them.
        var hashes = new BlockHashChain(spec, arrival.Index, _config.Engine.BlockSize);
        var dispatch = new DispatchRequest(arrival.Index, spec.PromptTokens, spec.User, spec.Session, spec.Priority, spec.Tenant,
            _router.ReadsBlockHashes ? hashes.PromptBlocks(spec.PromptTokens) : default);
        var engine = _router.Route(dispatch, now);
        _engines[engine].Add(new SimRequest(arrival.Index, spec, engine, _domains[spec.Domain ?? ""]) { Hashes = hashes }, now);
        _outstanding++;
        StartStepIfIdle(_groupOfEngine[engine], now);
    }

    internal void OnStepCompleted(StepCompleted completed)
    {
        var group = _groups[completed.Group];
        var before = _metrics.Records.Count;
        if (group.Moe is { } moe && _rebalancers[completed.Group]?.OnStep(group.Engines, moe.Placement) is var (placement, stall))
        {
            moe.Retabulate(placement, _rebalancers[completed.Group]!.DomainShares());
            group.PendingStallSeconds += stall;
        }
        group.CompleteStep(completed.Time);
        _outstanding -= _metrics.Records.Count - before;
        StartStepIfIdle(completed.Group, completed.Time);
    }

    internal void OnDrift(DriftEpoch drift)
    {
        _routing?.Drift(_config.Routing.DriftPersistence);
        for (var g = 0; g < _groups.Length; g++)
            _groups[g].Moe?.Retabulate(_groups[g].Moe!.Placement, _rebalancers[g]?.DomainShares() ?? UniformShares());
        if (_arrived < _workload.Count || _outstanding > 0)
            Schedule(new DriftEpoch(drift.Time + _config.Routing.DriftIntervalSeconds));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void OnStatsPublished(StatsPublished published)
    {
        for (var i = 0; i < _engines.Length; i++) _pressure[i] = _groups[_groupOfEngine[i]].Moe?.Pressure(_engines[i].RecentDomainTokens) ?? 0;
        _router.Publish(published.Time, _engines, _kvCapacityTokens, _pressure);
        int running = 0, waiting = 0;
        for (var i = 0; i < _engines.Length; i++)
        {
            _kvUsage[i] = _engines[i].Kv.Usage;
            running += _engines[i].RunningCount;
            waiting += _engines[i].WaitingCount;
        }
        _queueSamples.Add((published.Time, running, waiting));
        _metrics.SampleKvUsage(published.Time, _kvUsage);
        _metrics.SampleMoePairs(published.Time, _groups.Sum(g => g.Moe?.MaxRankPairs ?? 0), _groups.Sum(g => g.Moe?.MeanRankPairs ?? 0));
        if (_arrived < _workload.Count || _outstanding > 0)
            Schedule(new StatsPublished(published.Time + _config.StatsIntervalSeconds));
    }

    /// <summary>Each domain's share of the workload's tokens (prompt and output): its long-run traffic mix.</summary>
    private double[] DomainShares(IReadOnlyList<RequestSpec> workload)
    {
        var tokens = new double[_domains.Count];
        foreach (var request in workload) tokens[_domains[request.Domain ?? ""]] += request.PromptTokens + request.OutputTokens;
        var total = tokens.Sum();
        return total > 0 ? tokens.Select(t => t / total).ToArray() : UniformShares();
    }

    private double[] UniformShares() => Enumerable.Repeat(1.0 / _domains.Count, _domains.Count).ToArray();

    private void StartStepIfIdle(int group, double now)
    {
        if (_groups[group].Busy) return;
        if (_groups[group].TryStartStep(now) is { } seconds) Schedule(new StepCompleted(now + seconds, group));
    }

    private void Schedule(SimEvent e) => _events.Enqueue(e, (e.Time, e.Priority, _sequence++));
}
