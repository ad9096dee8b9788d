using System.Runtime.CompilerServices;
using Strata.Core.Admission;
using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Experts;
using Strata.Core.Queueing;
using Strata.Engine;
using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Simulation.Events;
using Strata.Simulation.Metrics;
using Strata.Simulation.Workloads;
using CorePolicies = Strata.Core.Policies.Policies;

namespace Strata.Simulation;

/// <summary>
/// A discrete-event simulation of a data-parallel (and expert-parallel) MoE serving cluster
/// with vLLM V1 engine semantics, driven by a workload and one policy stack. Virtual time only:
/// it never reads a clock, and the same inputs and seed give the same bytes.
/// <para>
/// Requests reach the engines through Strata.Core's <see cref="AdmissionController{T}"/>: without a
/// <c>gateway:</c> stage it has no limit and places each request on arrival, as vLLM's DP client does; with one it
/// queues and dispatches exactly as <c>strata serve</c> does. The dispatch policy sees the engines through a
/// <see cref="RouterView"/>: the stats they last published (every <see cref="ClusterConfig.StatsIntervalSeconds"/>)
/// plus the router's own requests since, counted as the front end in question counts them (<see cref="InFlightAccounting"/>).
/// </para>
/// </summary>
public sealed class ClusterSimulator
{
    /// <summary>What the simulated engines publish: everything a policy can read. Only the engine knows a request's cache hit.</summary>
    private const SignalFields EngineSignals = SignalFields.QueueDepth | SignalFields.KvUsage | SignalFields.PrefillTokens | SignalFields.ExpertPressure | SignalFields.KvEvents;

    private readonly ClusterConfig _config;
    private readonly IReadOnlyList<RequestSpec> _workload;
    private readonly SimulationOptions _options;
    private readonly EngineCluster _cluster;
    private readonly RouterView _view;
    private readonly AdmissionController<Arrival> _admission;
    private readonly RoutedRequest?[] _routed;
    private readonly MetricsCollector _metrics = new();
    private readonly PriorityQueue<SimEvent, (double Time, EventPriority Priority, long Sequence)> _events = new();
    private readonly double[] _kvUsage;
    private readonly Dictionary<string, int> _domains;
    private long _sequence;
    private int _arrived;
    private int _outstanding;
    private bool _ran;

    public ClusterSimulator(ClusterConfig config, IStepCostModel cost, IReadOnlyList<RequestSpec> workload, SimulationOptions options)
    {
        _config = config;
        _workload = workload;
        _options = options;
        _routed = new RoutedRequest?[workload.Count];

        // Request domains index the routing model's per-domain expert preferences; no domain is one more.
        _domains = workload.Select(r => r.Domain ?? "").Distinct().Order(StringComparer.Ordinal)
            .Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        if (_domains.Count == 0) _domains[""] = 0;

        _cluster = new EngineCluster(config, cost, _metrics, _domains.Count, new Random(options.Seed),
            options.Planners ?? ExpertPlanners.Catalog, () => DomainShares(workload));
        _kvUsage = new double[_cluster.Engines.Length];
        // Straight to the engines, vLLM's DP client counts what it sent until the next stats; a gateway, until the answer ends.
        _view = new RouterView(_cluster.Engines.Length, EngineSignals,
            config.Gateway is null ? InFlightAccounting.UntilSnapshot : InFlightAccounting.UntilFinished);
        _admission = CreateAdmission(config, _view);
        if (KvEvents is { } events)
            foreach (var engine in _cluster.Engines) engine.Kv.PublishEvents(events, engine.Index);
    }

    /// <summary>Requests running and waiting over all engines at every stats publication (as vLLM's per-second log lines report them).</summary>
    public IReadOnlyList<(double Time, int Running, int Waiting)> QueueSamples => _queueSamples;

    private readonly List<(double Time, int Running, int Waiting)> _queueSamples = [];

    /// <summary>Per-request records of the last run, in completion order.</summary>
    public IReadOnlyList<RequestRecord> Records => _metrics.Records;

    /// <summary>Called after every event with its time; tests check the invariants there (docs/invariants.md).</summary>
    internal Action<double>? AfterEvent { get; set; }

    /// <summary>Called with (request, engine, time) as the admission stage places each request; the parity test compares it with the gateway's.</summary>
    internal Action<int, int, double>? Dispatched { get; set; }

    internal IReadOnlyList<EngineCore> Engines => _cluster.Engines;

    internal IReadOnlyList<EpGroup> Groups => _cluster.Groups;

    /// <summary>The precise prefix index the engines' KV events feed, if the dispatch policy keeps one.</summary>
    internal IKvEventSink? KvEvents => _admission.Selector is IPrefixAwareSelector { Affinity.Mode: PrefixIndexMode.Precise } aware ? aware.Affinity : null;

    /// <summary>The engine snapshots the router last received from the engines' stats.</summary>
    internal IReadOnlyList<EngineView> LastPublishedViews => Enumerable.Range(0, _view.Count).Select(i => _view[i].Snapshot).ToArray();

    /// <summary>Requests that arrived so far; those dispatched to an engine but not finished; those waiting in the gateway stage.</summary>
    internal int Arrived => _arrived;
    internal int InFlight => _outstanding - _admission.QueueLength;
    internal int GatewayQueued => _admission.QueueLength;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SimulationSummary Run()
    {
        if (_ran) throw new InvalidOperationException("A simulator runs once; build a new one for another run.");
        _ran = true;
        if (_workload.Count > 0)
        {
            Schedule(new RequestArrival(_workload[0].ArrivalTime, 0));
            Schedule(new StatsPublished(0));
            if (_cluster.Routing is not null && _config.Routing.DriftIntervalSeconds > 0) Schedule(new DriftEpoch(_config.Routing.DriftIntervalSeconds));
        }
        while (_events.TryDequeue(out var next, out _))
        {
            next.Handle(this);
            AfterEvent?.Invoke(next.Time);
        }
        return SummaryBuilder.Build(_config, _options, _cluster.Engines, _cluster.Groups, _cluster.Rebalancers, _metrics);
    }

    internal void OnArrival(RequestArrival arrival)
    {
        var spec = _workload[arrival.Index];
        var now = arrival.Time;
        _arrived++;
        if (arrival.Index + 1 < _workload.Count)
            Schedule(new RequestArrival(Math.Max(now, _workload[arrival.Index + 1].ArrivalTime), arrival.Index + 1));

        if (spec.PromptTokens + spec.OutputTokens > _cluster.MaxModelLen)
        {
            _metrics.OnRejected(new SimRequest(arrival.Index, spec, engine: -1));
            return;
        }
        // Content hashes are engine-independent: a prefix-aware router matches on them, the engine caches by them.
        var hashes = new BlockHashChain(spec, arrival.Index, _config.Engine.BlockSize);
        var request = new Arrival(arrival.Index, spec, hashes,
            new DispatchRequest(arrival.Index, spec.PromptTokens, spec.User, spec.Session, spec.Priority, spec.Tenant,
                _admission.Selector is IPrefixAwareSelector ? hashes.PromptBlocks(spec.PromptTokens) : default));
        var admission = _admission.Arrive(request, now);
        if (admission.Rejection is { } rejection)
        {
            if (_config.Gateway is null)
                throw new InvalidOperationException($"Dispatch policy '{_admission.Selector.Name}' placed no request on {_view.Count} healthy engines ({rejection}).");
            // Only a gateway stage's full queue refuses, as the gateway's 429 does; simulated engines never fail.
            _metrics.OnRejected(new SimRequest(arrival.Index, spec, engine: -1));
            return;
        }
        _outstanding++;
        if (admission.Routed is { } routed) Start(request, routed, now);
    }

    internal void OnStepCompleted(StepCompleted completed)
    {
        var before = _metrics.Records.Count;
        _cluster.AfterStep(completed.Group);
        _cluster.Groups[completed.Group].CompleteStep(completed.Time);
        // Each finished request frees its slot and lets the gateway stage's queue move, one answer at a time, as the
        // gateway handles each response's end.
        for (var i = before; i < _metrics.Records.Count; i++)
        {
            _admission.Finished(_routed[_metrics.Records[i].Id]!);
            while (_admission.TryDispatchNext(completed.Time, out var next, out var routed)) Start(next, routed, completed.Time);
        }
        _outstanding -= _metrics.Records.Count - before;
        StartStepIfIdle(completed.Group, completed.Time);
    }

    internal void OnDrift(DriftEpoch drift)
    {
        _cluster.Drift();
        if (_arrived < _workload.Count || _outstanding > 0)
            Schedule(new DriftEpoch(drift.Time + _config.Routing.DriftIntervalSeconds));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void OnStatsPublished(StatsPublished published)
    {
        var engines = _cluster.Engines;
        int running = 0, waiting = 0;
        for (var i = 0; i < engines.Length; i++)
        {
            _view[i].Publish(engines[i].Snapshot(i, _cluster.KvCapacityTokens) with { ExpertPressure = _cluster.Pressure(i) }, published.Time);
            _kvUsage[i] = engines[i].Kv.Usage;
            running += engines[i].RunningCount;
            waiting += engines[i].WaitingCount;
        }
        _queueSamples.Add((published.Time, running, waiting));
        _metrics.SampleKvUsage(published.Time, _kvUsage);
        _metrics.SampleMoePairs(published.Time, _cluster.Groups.Sum(g => g.Moe?.MaxRankPairs ?? 0), _cluster.Groups.Sum(g => g.Moe?.MeanRankPairs ?? 0));
        if (_arrived < _workload.Count || _outstanding > 0)
            Schedule(new StatsPublished(published.Time + _config.StatsIntervalSeconds));
    }

    /// <summary>
    /// The admission stage: the cluster file's <c>gateway:</c> as <c>strata serve</c> runs it, or none (no limit, no
    /// queue: every request is placed on arrival, as vLLM's DP client places it).
    /// </summary>
    private static AdmissionController<Arrival> CreateAdmission(ClusterConfig config, RouterView view)
    {
        var (selector, gatewayQueue) = CheckPolicies(config);
        return gatewayQueue is null
            ? new AdmissionController<Arrival>(new AdmissionLimits(int.MaxValue, 0), new FirstComeFirstServed().CreateQueue<Arrival>(), selector, view)
            : new AdmissionController<Arrival>(config.Gateway!.Limits, gatewayQueue.CreateQueue<Arrival>(), selector, view);
    }

    /// <summary>
    /// Builds the dispatch policy and the gateway stage's queue policy, refusing one whose inputs the simulated
    /// engines do not supply (<see cref="PolicyInputs"/>): a gateway cannot know a request's prefix-cache hit.
    /// </summary>
    public static (IEngineSelector Dispatch, IQueuePolicy? GatewayQueue) CheckPolicies(ClusterConfig config)
    {
        var selector = CorePolicies.Dispatch.Create(config.Dispatch);
        PolicyInputs.Check(selector, config.Dispatch, EngineSignals, "the simulator");
        if (config.Gateway is not { } gateway) return (selector, null);
        var queue = CorePolicies.Queue.Create(gateway.Queue);
        PolicyInputs.Check(queue, gateway.Queue, EngineSignals, "the simulated gateway");
        return (selector, queue);
    }

    private void Start(Arrival request, RoutedRequest routed, double now)
    {
        _routed[request.Index] = routed;
        Dispatched?.Invoke(request.Index, routed.Engine, now);
        var engine = routed.Engine;
        _cluster.Engines[engine].Add(new SimRequest(request.Index, request.Spec, engine, _domains[request.Spec.Domain ?? ""]) { Hashes = request.Hashes }, now);
        StartStepIfIdle(_cluster.GroupOf(engine), now);
    }

    /// <summary>Each domain's share of the workload's tokens (prompt and output): its long-run traffic mix.</summary>
    private double[] DomainShares(IReadOnlyList<RequestSpec> workload)
    {
        var tokens = new double[_domains.Count];
        foreach (var request in workload) tokens[_domains[request.Domain ?? ""]] += request.PromptTokens + request.OutputTokens;
        var total = tokens.Sum();
        return total > 0 ? tokens.Select(t => t / total).ToArray() : Enumerable.Repeat(1.0 / _domains.Count, _domains.Count).ToArray();
    }

    private void StartStepIfIdle(int group, double now)
    {
        var g = _cluster.Groups[group];
        if (g.Busy) return;
        if (g.TryStartStep(now) is { } seconds) Schedule(new StepCompleted(now + seconds, group));
    }

    private void Schedule(SimEvent e) => _events.Enqueue(e, (e.Time, e.Priority, _sequence++));

    /// <summary>A request as the admission stage sees it; simulated engines never fail one.</summary>
    private sealed class Arrival(int index, RequestSpec spec, BlockHashChain hashes, DispatchRequest dispatch) : IAdmissible
    {
        public int Index { get; } = index;

        public RequestSpec Spec { get; } = spec;

        public BlockHashChain Hashes { get; } = hashes;

        public DispatchRequest Dispatch { get; } = dispatch;

        public QueueEntry Entry => new(Index, Spec.ArrivalTime, Spec.PromptTokens, Priority: Spec.Priority, Tenant: Spec.Tenant);

        public double QueueShare => 1;

        public bool HasFailedOn(EngineLedger engine) => false;
    }
}
