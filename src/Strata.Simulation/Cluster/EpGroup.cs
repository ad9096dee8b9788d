using Strata.Simulation.Cost;
using Strata.Simulation.Engine;
using Strata.Simulation.Moe;

namespace Strata.Simulation.Cluster;

/// <summary>
/// DP engines that step in lockstep because their MoE layers run as one expert-parallel
/// collective (vLLM: an idle rank runs a dummy batch). A step lasts the slowest engine's
/// non-expert work plus the MoE layers' slowest-rank time and all-to-all.
/// Without expert parallelism each engine is a group of its own.
/// </summary>
internal sealed class EpGroup
{
    private readonly EngineCore[] _engines;
    private readonly IStepCostModel _cost;
    private readonly int[] _tokens;
    private readonly int[] _domainTokens;

    public EpGroup(EngineCore[] engines, IStepCostModel cost, ExpertParallelCost? moe)
    {
        _engines = engines;
        _cost = cost;
        Moe = moe;
        _tokens = new int[engines.Length];
        _domainTokens = new int[engines[0].DomainTokens.Length];
    }

    public IReadOnlyList<EngineCore> Engines => _engines;

    /// <summary>Seconds added to the next step: the stall of loading re-placed expert weights.</summary>
    public double PendingStallSeconds { get; set; }

    /// <summary>The MoE layers' cost; null for a dense model.</summary>
    public ExpertParallelCost? Moe { get; }
    public bool Busy { get; private set; }
    public long Steps { get; private set; }

    /// <summary>Schedules one step on every engine of the group; null when none has anything to run.</summary>
    public double? TryStartStep(double now)
    {
        var any = false;
        var slowestEngine = 0.0;
        Array.Clear(_domainTokens);
        for (var i = 0; i < _engines.Length; i++)
        {
            var batch = _engines[i].HasWork ? _engines[i].Schedule(now) : default;
            _tokens[i] = batch.Tokens;
            if (!batch.IsEmpty)
                for (var d = 0; d < _domainTokens.Length; d++) _domainTokens[d] += _engines[i].DomainTokens[d];
            any |= !batch.IsEmpty;
            slowestEngine = Math.Max(slowestEngine, _cost.EngineSeconds(batch));
        }
        if (!any) return null;
        Busy = true;
        Steps++;
        var stall = PendingStallSeconds;
        PendingStallSeconds = 0;
        return stall + slowestEngine + (Moe?.StepSeconds(_tokens, _domainTokens) ?? 0);
    }

    public void CompleteStep(double now)
    {
        foreach (var engine in _engines) engine.CompleteStep(now);
        Busy = false;
    }
}
