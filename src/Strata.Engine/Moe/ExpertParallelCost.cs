using System.Runtime.CompilerServices;
using Strata.Core.Experts;
using Strata.Engine.Cost;

namespace Strata.Engine.Moe;

/// <summary>
/// The MoE part of one lockstep step of an EP group: for every MoE layer, the slowest EP rank's
/// expert work plus the all-to-all dispatch and combine of the tokens that cross ranks.
/// <para>
/// Expert choices are sampled as counts per layer per rank per step, never per token: a rank
/// hosting slots with per-token pick rates q_s receives A ~ Normal(T·Σq_s, T·Σq_s(1−q_s))
/// token-expert pairs from the T tokens of the step, and activates D distinct slots with
/// E[D] = Σ(1 − (1 − q_s)^T); an expert with c replicas gives each of them q/c (vLLM splits
/// an expert's tokens evenly over its replicas). E[D] and Var[D] are tabulated per rank on a
/// log-spaced grid of T, so a step costs O(layers × ranks × domains). A rank's mean pairs
/// follow the step's own token mix over request domains exactly; the spreads, distinct-expert
/// tables and all-to-all reach use the mix of recent traffic, re-tabulated whenever the
/// placement changes or popularity drifts (<see cref="Retabulate"/>).
/// </para>
/// </summary>
public sealed class ExpertParallelCost
{
    private readonly int _layers;
    private readonly int _ranks;
    private readonly int _tensorParallel;
    private readonly bool _expertParallel;
    private readonly int[] _node;
    private readonly double _tokenBytes;
    private readonly double _gatherBytesPerToken;
    private readonly double _intraNodeSecondsPerToken;
    private readonly double _interNodeSecondsPerToken;
    private readonly double _allToAllLatencySeconds;
    private readonly double _expertComputeEfficiency;
    private readonly Hardware.LinkSpec? _allGatherLink;
    private readonly ExpertTimeMemo _expertTime;
    private readonly NormalSamples _normal;
    private readonly int[] _grid;
    private readonly RoutingModel _routing;
    private readonly double[][][] _domainRate; // [domain][layer][rank] Σ q_s for the domain's tokens
    private readonly double[][] _domainRateFlat; // [domain][layer * ranks + rank], the same, contiguous for the step loop
    private readonly double[] _expectedPairs;   // [layer * ranks + rank] of the step under way
    private readonly int[] _lastDomainTokens;   // the tokens per domain _expectedPairs was computed for
    private readonly double[] _layerSlowest;    // [layer] the slowest rank's expert time in the step under way
    private readonly double[][] _domainRankRate; // [domain][rank] Σ over layers, for expert pressure
    private readonly double[] _pickSd;         // [layer * ranks + rank] √Σ q_s(1 − q_s)
    private readonly double[][] _touch;        // [layer][rank] P(a token sends to the rank)
    private readonly double[] _distinctMean;   // [j * layers * ranks + layer * ranks + rank]: a step reads one row j
    private readonly double[] _distinctSd;
    private readonly bool[] _rowReady;         // [j] row j of the two tables is filled for the current placement and popularity
    private readonly double[] _slotLogIdle;    // [layer * slots + slot] ln(1 − q) of the slot's per-token pick rate; +∞ when 0
    private readonly double[][] _nodeTouch;    // [layer][node] Σ touch over the node's ranks
    private readonly double[] _allTouch;       // [layer] Σ touch over all ranks
    private readonly int _slotsPerRank;
    private readonly double[] _sourceTokens;
    private readonly double[] _nodeSource;
    private double _allSource;

    /// <param name="domainShares">Each domain's share of the traffic the tables start from; null for even shares.</param>
    public ExpertParallelCost(
        RoutingModel routing,
        ExpertPlacement placement,
        IStepCostModel cost,
        EpTopology topology,
        int maxTokensPerStep,
        Random random,
        double[]? domainShares = null)
    {
        if (placement.Layers != routing.Layers || placement.LogicalExperts != routing.Experts)
            throw new ArgumentException("The expert placement and the routing model disagree on layers or experts.");
        _routing = routing;
        _layers = placement.Layers;
        _ranks = placement.Ranks;
        _slotsPerRank = placement.SlotsPerRank;
        _tensorParallel = topology.TensorParallel;
        _expertParallel = topology.ExpertParallel;
        _node = Enumerable.Range(0, _ranks).Select(r => r / topology.GpusPerNode).ToArray();
        _tokenBytes = topology.HiddenSize * 2.0;
        // allgather_reducescatter gathers each token's router logits (one bf16 per expert) with its hidden states.
        _gatherBytesPerToken = _tokenBytes + routing.Experts * 2.0;
        _intraNodeSecondsPerToken = _tokenBytes / topology.Link.BytesPerSecond;
        _interNodeSecondsPerToken = _tokenBytes / (topology.InterNodeGbps * 1e9);
        _allToAllLatencySeconds = topology.AllToAllLatencySeconds;
        _allGatherLink = topology.AllGatherReduceScatter ? topology.Link : null;
        // The fitted expert-kernel efficiency belongs to the all-to-all (pplx) backend; allgather_reducescatter runs vLLM's fused MoE.
        _expertComputeEfficiency = _allGatherLink is null ? topology.ExpertComputeEfficiency : 1;
        _expertTime = new ExpertTimeMemo(_expertParallel
            ? (pairs, distinct) => cost.MoeLayerSeconds(pairs / _expertComputeEfficiency, distinct)
            : (pairs, distinct) => cost.MoeLayerSeconds(pairs / _tensorParallel, distinct / _tensorParallel));
        _normal = new NormalSamples(random);
        _grid = TokenGrid(maxTokensPerStep);
        _sourceTokens = new double[_ranks];
        _nodeSource = new double[_node.Max() + 1];

        _domainRate = Enumerable.Range(0, routing.Domains).Select(_ => new double[_layers][]).ToArray();
        _domainRateFlat = Enumerable.Range(0, routing.Domains).Select(_ => new double[_layers * _ranks]).ToArray();
        _expectedPairs = new double[_layers * _ranks];
        _lastDomainTokens = new int[routing.Domains];
        _layerSlowest = new double[_layers];
        _domainRankRate = Enumerable.Range(0, routing.Domains).Select(_ => new double[_ranks]).ToArray();
        _pickSd = new double[_layers * _ranks];
        _touch = new double[_layers][];
        _distinctMean = new double[_layers * _ranks * _grid.Length];
        _distinctSd = new double[_layers * _ranks * _grid.Length];
        _rowReady = new bool[_grid.Length];
        _slotLogIdle = new double[_layers * _ranks * _slotsPerRank];
        _nodeTouch = new double[_layers][];
        _allTouch = new double[_layers];
        RankPairs = new double[_ranks];
        _rankHeat = new double[_ranks];
        Retabulate(placement, domainShares ?? Enumerable.Repeat(1.0 / routing.Domains, routing.Domains).ToArray());
    }

    public ExpertPlacement Placement { get; private set; } = null!;

    /// <summary>Token-expert pairs each rank received in the last step, summed over layers.</summary>
    public double[] RankPairs { get; }

    /// <summary>Each rank's pairs per step, exponentially weighted over recent steps (~20).</summary>
    private readonly double[] _rankHeat;

    /// <summary>
    /// Expert pressure of traffic with the given tokens per domain: the load of the EP ranks its
    /// expert picks land on, weighted by how many land there, relative to the mean rank, minus 1:
    /// 0 when even (or unknown), positive when the traffic presses hot ranks. Gimbal P2's MoE-pressure signal.
    /// </summary>
    public double Pressure(ReadOnlySpan<double> domainTokens)
    {
        var meanHeat = _rankHeat.Average();
        if (meanHeat <= 0) return 0;
        double weighted = 0, picks = 0;
        for (var d = 0; d < domainTokens.Length; d++)
        {
            if (domainTokens[d] <= 0) continue;
            var rates = _domainRankRate[d];
            for (var r = 0; r < _ranks; r++)
            {
                var share = domainTokens[d] * rates[r];
                weighted += share * _rankHeat[r];
                picks += share;
            }
        }
        return picks > 0 ? weighted / picks / meanHeat - 1 : 0;
    }

    /// <summary>Rebuilds the per-rank tables for a new placement, recent domain mix or drifted popularity.</summary>
    public void Retabulate(ExpertPlacement placement, ReadOnlySpan<double> domainShares)
    {
        if (placement.Ranks != _ranks || placement.Layers != _layers)
            throw new ArgumentException($"A placement for {placement.Ranks} ranks × {placement.Layers} layers cannot replace one for {_ranks} × {_layers}.");
        Placement = placement;
        Array.Fill(_lastDomainTokens, -1);
        Array.Clear(_rowReady);
        for (var layer = 0; layer < _layers; layer++)
        {
            for (var d = 0; d < _routing.Domains; d++)
            {
                _domainRate[d][layer] = RankRates(placement, layer, _routing.PerToken(d, layer));
                _domainRate[d][layer].CopyTo(_domainRateFlat[d], layer * _ranks);
            }
            Tabulate(layer, _routing.Mixture(layer, domainShares), placement);
        }
        for (var d = 0; d < _routing.Domains; d++)
        {
            Array.Clear(_domainRankRate[d]);
            for (var layer = 0; layer < _layers; layer++)
                for (var r = 0; r < _ranks; r++) _domainRankRate[d][r] += _domainRate[d][layer][r];
        }
    }

    /// <summary>Σ of the pick rates of the slots on each rank (replicas share their expert's rate).</summary>
    private double[] RankRates(ExpertPlacement placement, int layer, ReadOnlySpan<double> perToken)
    {
        var slots = placement.PhysicalToLogical(layer);
        var replicas = placement.ReplicaCount(layer);
        var rate = new double[_ranks];
        for (var slot = 0; slot < slots.Length; slot++) rate[placement.RankOfSlot(slot)] += perToken[slots[slot]] / replicas[slots[slot]];
        return rate;
    }

    /// <summary>Σ over layers and steps of the busiest rank's pairs, and of the mean rank's (balancedness = ratio).</summary>
    public double MaxRankPairs { get; private set; }
    public double MeanRankPairs { get; private set; }
    public double AllToAllBytes => _allToAllTokens * _tokenBytes + _gatherScatterBytes;

    private double _allToAllTokens;
    private double _gatherScatterBytes;

    /// <summary>Seconds of the MoE layers of one step, given each DP engine's scheduled tokens and the step's tokens per domain.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double StepSeconds(ReadOnlySpan<int> engineTokens, ReadOnlySpan<int> domainTokens)
    {
        Array.Clear(RankPairs);
        var total = 0;
        foreach (var t in engineTokens) total += t;
        if (_ranks > 1) SpreadSourceTokens(engineTokens);
        var exchangeSeconds = _ranks > 1 && _allGatherLink is { } link ? AllGatherReduceScatterSeconds(link, engineTokens) : -1;
        ExpectPairs(domainTokens);
        var (maxPairsSum, meanPairsSum) = SlowestRanks(total);
        var seconds = 0.0;
        for (var layer = 0; layer < _layers; layer++)
            seconds += _layerSlowest[layer] + (exchangeSeconds >= 0 ? exchangeSeconds : _ranks > 1 ? AllToAllSeconds(layer) : 0);
        MaxRankPairs += maxPairsSum;
        MeanRankPairs += meanPairsSum;
        for (var r = 0; r < _ranks; r++) _rankHeat[r] = 0.95 * _rankHeat[r] + 0.05 * RankPairs[r];
        return seconds;
    }

    /// <summary>Each rank's mean pairs per layer for the step's tokens per domain; consecutive decode steps often carry the same, and reuse them.</summary>
    private void ExpectPairs(ReadOnlySpan<int> domainTokens)
    {
        if (domainTokens.SequenceEqual(_lastDomainTokens)) return;
        domainTokens.CopyTo(_lastDomainTokens);
        var expectedPairs = _expectedPairs;
        Array.Clear(expectedPairs);
        for (var d = 0; d < domainTokens.Length; d++)
        {
            if (domainTokens[d] == 0) continue;
            var tokens = (double)domainTokens[d];
            var rates = _domainRateFlat[d];
            for (var i = 0; i < rates.Length; i++) expectedPairs[i] += tokens * rates[i];
        }
    }

    /// <summary>
    /// Samples every layer's pairs and distinct experts per rank for a step of <paramref name="total"/> tokens, and
    /// writes each layer's slowest rank's expert time; returns the step's Σ over layers of the busiest and the mean rank's pairs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double MaxPairs, double MeanPairs) SlowestRanks(int total)
    {
        var (index, weight) = GridPosition(total);
        DistinctRow(index);
        if (weight != 0) DistinctRow(index + 1);
        var sqrtTotal = Math.Sqrt(total);
        var ranks = _ranks;
        var cells = _layers * ranks;
        var noise = _normal.Take(2 * cells);
        // The step reads row `index` of the distinct-expert tables (and the next, to interpolate), slot by slot.
        var row = index * cells;
        ReadOnlySpan<double> expected = _expectedPairs, pickSd = _pickSd;
        ReadOnlySpan<double> meanLow = _distinctMean.AsSpan(row, cells), sdLow = _distinctSd.AsSpan(row, cells);
        ReadOnlySpan<double> meanHigh = weight != 0 ? _distinctMean.AsSpan(row + cells, cells) : meanLow;
        ReadOnlySpan<double> sdHigh = weight != 0 ? _distinctSd.AsSpan(row + cells, cells) : sdLow;
        Span<double> rankPairs = RankPairs, layerSlowest = _layerSlowest;
        double slotsPerRank = _slotsPerRank;
        var expertTime = _expertTime;
        double maxPairsSum = 0, meanPairsSum = 0;
        var n = 0;
        var slot = 0;
        for (var layer = 0; layer < layerSlowest.Length; layer++)
        {
            var slowest = 0.0;
            var maxPairs = 0.0;
            var sumPairs = 0.0;
            for (var r = 0; r < ranks; r++, slot++)
            {
                var pairs = Math.Max(0, Math.Round(expected[slot] + sqrtTotal * pickSd[slot] * noise[n++]));
                rankPairs[r] += pairs;
                var mean = meanLow[slot];
                var sd = sdLow[slot];
                if (weight != 0)
                {
                    mean += weight * (meanHigh[slot] - mean);
                    sd += weight * (sdHigh[slot] - sd);
                }
                // Distinct experts: at least one when any pair arrived, at most the rank's slots or its pairs.
                var distinct = Math.Min(Math.Round(mean + sd * noise[n++]), Math.Min(pairs, slotsPerRank));
                if (distinct < 1) distinct = pairs > 0 ? 1 : 0;
                slowest = Math.Max(slowest, expertTime.Seconds(pairs, distinct));
                maxPairs = Math.Max(maxPairs, pairs);
                sumPairs += pairs;
            }
            layerSlowest[layer] = slowest;
            maxPairsSum += maxPairs;
            meanPairsSum += sumPairs / ranks;
        }
        return (maxPairsSum, meanPairsSum);
    }

    /// <summary>Each DP engine's tokens leave from its TP ranks, an equal share each; summed per node once per step.</summary>
    private void SpreadSourceTokens(ReadOnlySpan<int> engineTokens)
    {
        Array.Clear(_nodeSource);
        _allSource = 0;
        for (var r = 0; r < _ranks; r++)
        {
            _sourceTokens[r] = (double)engineTokens[r / _tensorParallel] / _tensorParallel;
            _nodeSource[_node[r]] += _sourceTokens[r];
            _allSource += _sourceTokens[r];
        }
    }

    /// <summary>
    /// vLLM 0.19's default EP exchange (<c>all2all_backend: allgather_reducescatter</c>), whichever experts the tokens
    /// chose, per MoE layer: before the experts every rank all-gathers every DP rank's hidden states and router logits
    /// (bf16, one per expert) in one NCCL group, and routes the gathered tokens itself; after them the hidden-state
    /// outputs are reduce-scattered back. Unquantized MoE takes the runner's naive path
    /// (<c>DefaultMoERunner._maybe_dispatch</c> → <c>AgRsAll2AllManager.dispatch_router_logits</c>, <c>combine</c> →
    /// <c>reduce_scatterv</c>; vllm-project/vllm v0.19.1, b1388b1, the same files as at v0.19.0).
    /// </summary>
    private double AllGatherReduceScatterSeconds(Hardware.LinkSpec link, ReadOnlySpan<int> engineTokens)
    {
        var tokens = 0.0;
        foreach (var t in engineTokens) tokens += t;
        // Summed over the ranks, the gather delivers n−1 copies of the step's tokens and the scatter sends as many, in every MoE layer.
        _gatherScatterBytes += tokens * (_gatherBytesPerToken + _tokenBytes) * (_ranks - 1) * _layers;
        return link.AllGatherSeconds(tokens * _gatherBytesPerToken, _ranks) + link.ReduceScatterSeconds(tokens * _tokenBytes, _ranks);
    }

    /// <summary>
    /// Each token goes once to every other rank that hosts one of its experts (deduplicated per
    /// destination); the busiest rank's sends or receives, per link kind, set the time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double AllToAllSeconds(int layer)
    {
        var touch = _touch[layer];
        var allTouch = _allTouch[layer];
        double worstIntra = 0, worstInter = 0, tokensSent = 0;
        if (_nodeSource.Length == 1)
        {
            // One node: every other rank is across NVLink.
            for (var r = 0; r < _ranks; r++)
            {
                var send = _sourceTokens[r] * (allTouch - touch[r]);
                var receive = touch[r] * (_allSource - _sourceTokens[r]);
                tokensSent += send;
                var busier = send > receive ? send : receive;
                if (busier > worstIntra) worstIntra = busier;
            }
        }
        else
        {
            var nodeTouch = _nodeTouch[layer];
            for (var r = 0; r < _ranks; r++)
            {
                var node = _node[r];
                var sendIntra = _sourceTokens[r] * (nodeTouch[node] - touch[r]);
                var sendInter = _sourceTokens[r] * (allTouch - nodeTouch[node]);
                var receiveIntra = touch[r] * (_nodeSource[node] - _sourceTokens[r]);
                var receiveInter = touch[r] * (_allSource - _nodeSource[node]);
                tokensSent += sendIntra + sendInter;
                worstIntra = Math.Max(worstIntra, Math.Max(sendIntra, receiveIntra));
                worstInter = Math.Max(worstInter, Math.Max(sendInter, receiveInter));
            }
        }
        // Dispatch sends the hidden states out, combine brings the expert outputs back.
        _allToAllTokens += 2 * tokensSent;
        var oneWay = Math.Max(worstIntra * _intraNodeSecondsPerToken, worstInter * _interNodeSecondsPerToken);
        return 2 * (oneWay + _allToAllLatencySeconds);
    }

    private void Tabulate(int layer, double[] perToken, ExpertPlacement placement)
    {
        var slots = placement.PhysicalToLogical(layer);
        var replicas = placement.ReplicaCount(layer);
        var variance = new double[_ranks];
        var miss = Enumerable.Repeat(1.0, _ranks).ToArray();
        var logIdle = _slotLogIdle.AsSpan(layer * slots.Length, slots.Length);
        for (var slot = 0; slot < slots.Length; slot++)
        {
            var expert = slots[slot];
            var q = perToken[expert] / replicas[expert];
            var r = placement.RankOfSlot(slot);
            variance[r] += q * (1 - q);
            miss[r] *= 1 - q;
            // (1 − q)^T as exp(T·ln(1 − q)), per token-grid row when a step first reads it (DistinctRow); +∞: never picked.
            logIdle[slot] = q <= 0 ? double.PositiveInfinity : q >= 1 ? double.NegativeInfinity : Math.Log(1 - q);
        }
        for (var r = 0; r < _ranks; r++) _pickSd[layer * _ranks + r] = Math.Sqrt(variance[r]);
        var touch = miss.Select(m => 1 - m).ToArray();
        _touch[layer] = touch;
        _nodeTouch[layer] = new double[_nodeSource.Length];
        for (var r = 0; r < _ranks; r++) _nodeTouch[layer][_node[r]] += touch[r];
        _allTouch[layer] = touch.Sum();
    }

    /// <summary>
    /// Fills row <paramref name="j"/> of the distinct-expert tables (E[D] and its spread at <c>T = grid[j]</c>, every layer
    /// and rank) the first time a step reads it after <see cref="Retabulate"/>: a run's steps touch a fraction of the rows,
    /// and the tables are rebuilt on every drift epoch and re-placement.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DistinctRow(int j)
    {
        if (_rowReady[j]) return;
        var cells = _layers * _ranks;
        var mean = _distinctMean.AsSpan(j * cells, cells);
        var sd = _distinctSd.AsSpan(j * cells, cells); // holds Var[D] until the square root below
        mean.Clear();
        sd.Clear();
        var tokens = (double)_grid[j];
        var slots = _ranks * _slotsPerRank;
        for (int layer = 0, slot = 0; layer < _layers; layer++)
            for (var s = 0; s < slots; s++, slot++)
            {
                var logIdle = _slotLogIdle[slot];
                if (logIdle == double.PositiveInfinity) continue;
                var idle = Math.Exp(tokens * logIdle);
                var cell = layer * _ranks + s / _slotsPerRank;
                mean[cell] += 1 - idle;
                sd[cell] += idle * (1 - idle);
            }
        for (var i = 0; i < cells; i++) sd[i] = Math.Sqrt(sd[i]);
        _rowReady[j] = true;
    }

    private (int Index, double Weight) GridPosition(int tokens)
    {
        var i = _grid.AsSpan().BinarySearch(tokens);
        if (i >= 0) return (i, 0);
        i = ~i;
        if (i == 0) return (0, 0);
        if (i >= _grid.Length) return (_grid.Length - 1, 0);
        return (i - 1, (double)(tokens - _grid[i - 1]) / (_grid[i] - _grid[i - 1]));
    }

    /// <summary>1..16 exactly, then steps of ~8% up to the largest step: E[D] is smooth in log T.</summary>
    private static int[] TokenGrid(int maxTokens)
    {
        var grid = new List<int>();
        for (var t = 1; t <= Math.Min(16, maxTokens); t++) grid.Add(t);
        var next = 16.0;
        while (grid[^1] < maxTokens)
        {
            next *= 1.08;
            var t = Math.Min(maxTokens, (int)Math.Ceiling(next));
            if (t > grid[^1]) grid.Add(t);
        }
        return grid.ToArray();
    }
}
