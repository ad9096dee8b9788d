using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>
/// <c>dynamo-kv</c>: NVIDIA Dynamo's KV router cost (<c>lib/kv-router/src/scheduling/selector/default.rs</c>,
/// <c>docs/router/kv_cache_routing.md</c> and <c>lib/kv-router/src/scheduling/selector/default.rs</c> @ 07a6c9ce), in KV blocks of <c>block_size</c> tokens:
/// <code>
/// raw_prefill = (active prefill tokens + prompt tokens) / block_size
/// decay       = 1 / (1 + overlap_score_credit_decay · ((active prefill − min active prefill)/block_size) / prompt blocks)
/// credit      = overlap_score_credit · decay · overlap blocks
/// cost        = prefill_load_scale · max(0, raw_prefill − credit) + decode blocks + decode_active_request_weight · active requests
/// </code>
/// Active prefill tokens are <see cref="EngineView.PendingPrefillTokens"/>; decode blocks are the
/// blocks of every sequence the engine holds or will hold (running tokens + waiting and in-flight
/// prompts) plus the prompt's own; active requests are waiting + in flight + running. With the
/// defaults (credit 1, scale 1, decay 0, request weight 0) this is the classic documented cost
/// <c>prefill_blocks − overlap + decode_blocks</c>. Only the device tier is modelled (no host/disk credit).
/// <c>temperature</c> 0 (default) takes the argmin, ties to the engine whose index holds fewer
/// blocks, then uniformly at random; above 0 it samples pᵢ ∝ exp(−(cᵢ − c_min)/((c_max − c_min)·T)),
/// uniform when all costs are equal. Randomness comes from a generator seeded by <c>seed</c>.
/// </summary>
public sealed class DynamoKvCostSelector : IPrefixAwareSelector
{
    public const string PolicyName = "dynamo-kv";

    private readonly DynamoKvCostWeights _weights;
    private DecisionRandom _random;
    private double[] _costs = new double[8];

    public DynamoKvCostSelector(PrefixAffinity affinity, DynamoKvCostWeights weights, int seed)
    {
        Affinity = affinity;
        _weights = weights;
        _random = new DecisionRandom(seed);
    }

    public string Name => PolicyName;

    public SignalFields Requires => Affinity.Requires;

    public void OnAbandoned(in DispatchRequest request, int engine) => Affinity.OnAbandoned(engine, request);

    public PrefixAffinity Affinity { get; }

    public static DynamoKvCostSelector FromOptions(PolicyOptions options)
    {
        options.RejectUnknownKeys([.. PrefixAffinity.OptionKeys, "seed", "overlap_score_credit", "prefill_load_scale",
            "overlap_score_credit_decay", "decode_active_request_weight", "temperature"]);
        return new DynamoKvCostSelector(PrefixAffinity.FromOptions(options), new DynamoKvCostWeights(
            OverlapScoreCredit: options.GetDouble("overlap_score_credit", 1, 0),
            PrefillLoadScale: options.GetDouble("prefill_load_scale", 1, 0),
            OverlapScoreCreditDecay: options.GetDouble("overlap_score_credit_decay", 0, 0),
            DecodeActiveRequestWeight: options.GetDouble("decode_active_request_weight", 0, 0),
            Temperature: options.GetDouble("temperature", 0, 0)), options.GetInt("seed", 0));
    }

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var minActivePrefill = long.MaxValue;
        foreach (ref readonly var engine in engines)
            if (engine.Healthy) minActivePrefill = Math.Min(minActivePrefill, engine.PendingPrefillTokens);
        if (minActivePrefill == long.MaxValue) return -1;

        if (_costs.Length < engines.Length) _costs = new double[Math.Max(engines.Length, 2 * _costs.Length)];
        var matched = Affinity.Match(request, engines);
        double blockSize = Affinity.BlockSize;
        var promptBlocks = Math.Max(Math.Ceiling(request.PromptTokens / blockSize), request.BlockHashes.Length);
        double minCost = double.MaxValue, maxCost = double.MinValue;
        for (var i = 0; i < engines.Length; i++)
        {
            if (!engines[i].Healthy) continue;
            var cost = _costs[i] = Cost(engines[i], matched[i], request.PromptTokens, promptBlocks, minActivePrefill, blockSize);
            minCost = Math.Min(minCost, cost);
            maxCost = Math.Max(maxCost, cost);
        }
        return _weights.Temperature > 0 ? Sample(engines, minCost, maxCost) : EngineScan.Best(engines, new CostOrder(this), ties: _random);
    }

    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now)
    {
        Affinity.OnRouted(engine, request, engines);
        _random.Advance();
    }

    private double Cost(in EngineView engine, int overlapBlocks, int promptTokens, double promptBlocks, long minActivePrefill, double blockSize)
    {
        var active = engine.PendingPrefillTokens;
        var rawPrefill = (active + promptTokens) / blockSize;
        var decay = 1 / (1 + _weights.OverlapScoreCreditDecay * ((active - minActivePrefill) / blockSize) / Math.Max(1, promptBlocks));
        var credit = _weights.OverlapScoreCredit * decay * overlapBlocks;
        var decodeBlocks = (engine.RunningTokens + engine.WaitingPrefillTokens + engine.InFlightPrefillTokens) / blockSize + promptBlocks;
        var activeRequests = engine.QueuedRequests + engine.Running;
        return _weights.PrefillLoadScale * Math.Max(0, rawPrefill - credit) + decodeBlocks + _weights.DecodeActiveRequestWeight * activeRequests;
    }

    /// <summary>Lowest cost (this decision's <c>_costs</c>); on a tie the engine whose index holds fewer blocks, then at random.</summary>
    private readonly struct CostOrder(DynamoKvCostSelector selector) : IEngineOrder
    {
        public bool Eligible(ReadOnlySpan<EngineView> engines, int i) => true;

        public double Score(ReadOnlySpan<EngineView> engines, int i) => selector._costs[i];

        public int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b) => selector.Affinity.Index.Count(a).CompareTo(selector.Affinity.Index.Count(b));
    }

    private int Sample(ReadOnlySpan<EngineView> engines, double minCost, double maxCost)
    {
        var spread = (maxCost - minCost) * _weights.Temperature;
        var total = 0.0;
        for (var i = 0; i < engines.Length; i++)
        {
            if (!engines[i].Healthy) continue;
            total += _costs[i] = spread > 0 ? Math.Exp(-(_costs[i] - minCost) / spread) : 1;
        }
        var draw = _random.Draw(0) * total;
        var last = -1;
        for (var i = 0; i < engines.Length; i++)
        {
            if (!engines[i].Healthy) continue;
            last = i;
            draw -= _costs[i];
            if (draw < 0) return i;
        }
        return last;
    }
}

/// <summary>Dynamo KV router knobs (defaults from <c>config.rs</c>); see <see cref="DynamoKvCostSelector"/>.</summary>
public sealed record DynamoKvCostWeights(
    double OverlapScoreCredit = 1,
    double PrefillLoadScale = 1,
    double OverlapScoreCreditDecay = 0,
    double DecodeActiveRequestWeight = 0,
    double Temperature = 0);
