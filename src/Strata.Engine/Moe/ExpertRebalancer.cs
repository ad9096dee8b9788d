using Strata.Core.Experts;
using Strata.Engine.Hardware;

namespace Strata.Engine.Moe;

/// <summary>
/// vLLM's EPLB loop in the simulator: keeps each EP group's last <c>window_size</c> steps of
/// traffic (tokens per source engine and request domain), and every <c>step_interval</c> steps
/// asks the planner for a new placement from the expected per-expert, per-source loads and
/// layer-to-layer transitions of that traffic. Moving expert weights stalls the group: the
/// replicas each rank must newly load, over its link, before the next step.
/// </summary>
public sealed class ExpertRebalancer
{
    private readonly IExpertPlanner _planner;
    private readonly PlacementShape _shape;
    private readonly RoutingModel _routing;
    private readonly ModelSpec _model;
    private readonly int _stepInterval;
    private readonly int[][] _window; // [step in ring][engine * domains + domain]
    private readonly double _linkBytesPerSecond;
    private readonly int _tensorParallel;
    private int _cursor;
    private long _steps;

    public ExpertRebalancer(IExpertPlanner planner, PlacementShape shape, RoutingModel routing, ModelSpec model,
        int stepInterval, int windowSize, int engines, int tensorParallel, Hardware.LinkSpec link)
    {
        _planner = planner;
        _shape = shape;
        _routing = routing;
        _model = model;
        _stepInterval = stepInterval;
        _tensorParallel = tensorParallel;
        _window = Enumerable.Range(0, Math.Max(1, windowSize)).Select(_ => new int[engines * routing.Domains]).ToArray();
        _linkBytesPerSecond = link.BytesPerSecond;
    }

    public int Rebalances { get; private set; }
    public long ReplicasMoved { get; private set; }
    public double StallSeconds { get; private set; }

    /// <summary>Records one step's traffic; returns the new placement and its stall when this step ends an interval.</summary>
    public (ExpertPlacement Placement, double StallSeconds)? OnStep(IReadOnlyList<Engine.EngineCore> engines, ExpertPlacement current)
    {
        var row = _window[_cursor];
        _cursor = (_cursor + 1) % _window.Length;
        for (var e = 0; e < engines.Count; e++)
            engines[e].DomainTokens.AsSpan().CopyTo(row.AsSpan(e * _routing.Domains, _routing.Domains));
        if (_stepInterval <= 0 || ++_steps % _stepInterval != 0) return null;

        var next = _planner.Plan(WindowLoad(engines.Count), _shape, current);
        var moved = PlacementMetrics.ReplicasToLoad(current, next);
        // Ranks load their new replicas in parallel; the busiest takes its share of the bytes over its link.
        var stall = moved == 0 ? 0 : Math.Ceiling((double)moved / _shape.Ranks) * _model.ExpertBytes / _linkBytesPerSecond;
        Rebalances++;
        ReplicasMoved += moved;
        StallSeconds += stall;
        return (next, stall);
    }

    /// <summary>
    /// The placement of a cluster that has long served traffic with these domain shares, split evenly
    /// over the engines: the planner's plan for that load, with nothing to migrate from.
    /// </summary>
    public ExpertPlacement SteadyState(IReadOnlyList<double> domainShares, int engines)
    {
        var tokens = new double[engines, _routing.Domains];
        for (var e = 0; e < engines; e++)
            for (var d = 0; d < _routing.Domains; d++) tokens[e, d] = domainShares[d] / engines;
        return _planner.Plan(Load(tokens), _shape, null);
    }

    /// <summary>Token shares per domain over the window, for the cost tables.</summary>
    public double[] DomainShares()
    {
        var totals = new double[_routing.Domains];
        foreach (var row in _window)
            for (var i = 0; i < row.Length; i++) totals[i % _routing.Domains] += row[i];
        var sum = totals.Sum();
        return sum == 0 ? Enumerable.Repeat(1.0 / totals.Length, totals.Length).ToArray() : totals.Select(t => t / sum).ToArray();
    }

    private ExpertLoad WindowLoad(int engines)
    {
        var domains = _routing.Domains;
        var tokens = new double[engines, domains];
        foreach (var row in _window)
            for (var e = 0; e < engines; e++)
                for (var d = 0; d < domains; d++) tokens[e, d] += row[e * domains + d];
        return Load(tokens);
    }

    /// <summary>
    /// Expected loads of traffic with <paramref name="tokens"/>[engine, domain]: per EP rank as source (an
    /// engine's tokens split over its TP ranks) and per domain as traffic class.
    /// </summary>
    private ExpertLoad Load(double[,] tokens)
    {
        var engines = tokens.GetLength(0);
        var domains = _routing.Domains;
        var layers = _routing.Layers;
        var experts = _routing.Experts;
        var domainTokens = new double[domains];
        for (var d = 0; d < domains; d++)
            for (var e = 0; e < engines; e++) domainTokens[d] += tokens[e, d];
        var perSource = new double[layers][][];
        var perClass = new double[layers][][];
        var transitions = new double[Math.Max(0, layers - 1)][][];
        for (var layer = 0; layer < layers; layer++)
        {
            perClass[layer] = new double[domains][];
            for (var d = 0; d < domains; d++)
            {
                var q = _routing.PerToken(d, layer);
                perClass[layer][d] = new double[experts];
                for (var x = 0; x < experts; x++) perClass[layer][d][x] = domainTokens[d] * q[x];
            }
            perSource[layer] = new double[_shape.Ranks][];
            for (var rank = 0; rank < _shape.Ranks; rank++)
            {
                var sent = perSource[layer][rank] = new double[experts];
                var engine = Math.Min(rank / _tensorParallel, engines - 1);
                for (var d = 0; d < domains; d++)
                {
                    var share = tokens[engine, d] / _tensorParallel;
                    if (share == 0) continue;
                    var q = _routing.PerToken(d, layer);
                    for (var x = 0; x < experts; x++) sent[x] += share * q[x];
                }
            }
            if (layer == layers - 1 || !_planner.ReadsTransitions) continue;
            transitions[layer] = Enumerable.Range(0, experts).Select(_ => new double[experts]).ToArray();
            for (var d = 0; d < domains; d++)
                if (domainTokens[d] > 0) _routing.AddTransitions(d, layer, domainTokens[d], transitions[layer]);
        }
        return ExpertLoad.FromSources(perSource, layers > 1 && _planner.ReadsTransitions ? transitions : null, perClass);
    }
}
