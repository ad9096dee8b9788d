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

    public EpGroup(EngineCore[] engines, IStepCostModel cost, ExpertParallelCost moe)
    {
        _engines = engines;
        _cost = cost;
        Moe = moe;
        _tokens = new int[engines.Length];
    }

    public ExpertParallelCost Moe { get; }
    public bool Busy { get; private set; }
    public long Steps { get; private set; }

    /// <summary>Schedules one step on every engine of the group; null when none has anything to run.</summary>
    public double? TryStartStep(double now)
    {
        var any = false;
        var slowestEngine = 0.0;
        for (var i = 0; i < _engines.Length; i++)
        {
            var batch = _engines[i].HasWork ? _engines[i].Schedule(now) : default;
            _tokens[i] = batch.Tokens;
            any |= !batch.IsEmpty;
            slowestEngine = Math.Max(slowestEngine, _cost.EngineSeconds(batch));
        }
        if (!any) return null;
        Busy = true;
        Steps++;
        return slowestEngine + Moe.StepSeconds(_tokens);
    }

    public void CompleteStep(double now)
    {
        foreach (var engine in _engines) engine.CompleteStep(now);
        Busy = false;
    }
}
