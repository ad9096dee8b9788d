using Prometheus;
using Strata.Core.Dispatch;
using Strata.Engine;
using Strata.Engine.Cluster;
using Strata.Engine.Cost;

namespace Strata.Emulation;

/// <summary>
/// What one emulated server runs, as one <c>vllm serve</c> process does: its DP ranks (engine cores), assembled by
/// <see cref="EngineCluster"/> as the simulator assembles them, driven in real time by one
/// <see cref="EmulatedGroupLoop"/> per lockstep group (one for all ranks with expert parallelism, one per rank
/// without), and placed on by <see cref="DataParallelRouter"/>.
/// <para>
/// With <see cref="EmulatorOptions.DataParallelSize"/> 1 the server is one DP engine of the cluster file's layout:
/// with expert parallelism its steps are costed as an EP group in which the cluster's other DP engines are idle and
/// run dummy batches, so the MoE layers pay the slowest EP rank and the all-to-all for this engine's tokens alone.
/// </para>
/// </summary>
internal sealed class EmulatedEngine : IRequestObserver, IAsyncDisposable
{
    private readonly EngineCluster _cluster;
    private readonly ModelClock _clock;
    private readonly DataParallelRouter _router;
    private readonly EngineCore[] _rankCores;
    private readonly EmulatedGroupLoop?[] _loops;
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly RankKvEvents? _kvEvents;
    private long _nextId;

    /// <param name="server">
    /// The server's index among the emulator's servers. Rank r's seeds are those of engine server × ranks + r; its
    /// <c>engine</c> label is r, as each <c>vllm serve</c> numbers its own engine cores (one DP engine of the cluster
    /// file's layout keeps the server's index, as before ranks existed).
    /// </param>
    public EmulatedEngine(int server, EmulatorOptions options, ClusterConfig cluster, IStepCostModel cost, ModelClock clock)
    {
        _clock = clock;
        var ranks = options.Ranks;
        var firstEngine = server * ranks;
        _cluster = new EngineCluster(cluster, cost, this, domains: 1, new Random(options.Seed + firstEngine), options.Catalogs, () => [1.0]);
        // Every core is a rank, or the server is one DP engine of the cluster file's layout.
        _rankCores = ranks == _cluster.Engines.Length ? _cluster.Engines : [_cluster.Engines[server % _cluster.Engines.Length]];
        _router = new DataParallelRouter(ranks);
        var rankOfEngine = Enumerable.Repeat(-1, _cluster.Engines.Length).ToArray();
        var metricsOfEngine = new EngineMetrics?[_cluster.Engines.Length];
        for (var r = 0; r < ranks; r++)
        {
            var core = _rankCores[r].Index;
            rankOfEngine[core] = r;
            metricsOfEngine[core] = new EngineMetrics(_registry, options.ModelName, options.OwnLayout ? r : server, cluster, _rankCores[r].Kv.TotalBlocks);
        }
        _loops = new EmulatedGroupLoop?[_cluster.Groups.Length];
        foreach (var core in _rankCores)
        {
            var g = _cluster.GroupOf(core.Index);
            _loops[g] ??= new EmulatedGroupLoop(_cluster, g, clock, _router, rankOfEngine, metricsOfEngine);
        }
        MaxModelLen = _cluster.MaxModelLen;
        BlockSize = cluster.Engine.BlockSize;
        if (options.KvEvents is { } events)
        {
            _kvEvents = new RankKvEvents(events, firstEngine, rankOfEngine, BlockSize);
            foreach (var core in _rankCores) core.Kv.PublishEvents(_kvEvents, core.Index);
        }
    }

    /// <summary>Where each rank publishes its KV events (empty without <c>--kv-events-config</c>).</summary>
    public IEnumerable<string> KvEventEndpoints => _kvEvents?.Endpoints ?? [];

    /// <summary>DP ranks behind the server.</summary>
    public int Ranks => _rankCores.Length;

    /// <summary>Longest prompt plus output a rank takes: the model's context, or its whole KV cache if smaller.</summary>
    public int MaxModelLen { get; }

    public int BlockSize { get; }

    /// <summary>
    /// Queues a request arriving now on rank <paramref name="rank"/>, or where vLLM's DP balancer puts it when null;
    /// its tokens come through <see cref="EmulatedRequest.Tokens"/>.
    /// </summary>
    /// <param name="promptTokens">The prompt's token ids (the model's, or pseudo-tokens of four UTF-8 bytes), for its KV events' blocks.</param>
    public EmulatedRequest Submit(RequestSpec spec, int? rank, ReadOnlySpan<int> promptTokens = default)
    {
        var id = Interlocked.Increment(ref _nextId);
        _kvEvents?.Register(spec, id, promptTokens);
        lock (_router.Gate)
        {
            var now = _clock.Now;
            var routed = _router.Place(new DispatchRequest(id, spec.PromptTokens, Priority: spec.Priority), rank, now);
            var core = _rankCores[routed.Engine];
            var request = new EmulatedRequest(new SimRequest(id, spec with { ArrivalTime = now }, core.Index), now, routed.Engine, routed);
            LoopOf(core.Index).Enqueue(request);
            return request;
        }
    }

    /// <summary>The client went away: its rank drops the request and frees its KV blocks.</summary>
    public void Abort(EmulatedRequest request) => LoopOf(request.Sim.Engine).Abort(request);

    /// <summary>Every rank's series, labelled <c>engine</c> by rank.</summary>
    public Task WriteMetricsAsync(Stream destination, CancellationToken cancel) => EngineMetrics.WriteAsync(_registry, destination, cancel);

    private EmulatedGroupLoop LoopOf(int engine) => _loops[_cluster.GroupOf(engine)]!;

    void IRequestObserver.OnToken(SimRequest request, double time) => LoopOf(request.Engine).OnToken(request, time);

    void IRequestObserver.OnFinished(SimRequest request, double time) => LoopOf(request.Engine).OnFinished(request, time);

    public async ValueTask DisposeAsync()
    {
        foreach (var loop in _loops)
            if (loop is not null) await loop.DisposeAsync();
        _kvEvents?.Dispose();
    }
}
