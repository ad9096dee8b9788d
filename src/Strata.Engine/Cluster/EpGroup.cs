using System.Runtime.CompilerServices;
using Strata.Engine.Cost;
using Strata.Engine;
using Strata.Engine.Moe;

namespace Strata.Engine.Cluster;

/// <summary>
/// DP engines that step in lockstep because their MoE layers run as one expert-parallel
/// collective, with vLLM's DP step semantics (<c>vllm/v1/worker/dp_utils.py</c>
/// <c>coordinate_batch_across_dp</c>): every step begins with a small all-reduce across the DP
/// ranks of their token counts; when every rank fits a CUDA graph, all pad to the largest rank's
/// token count (an idle rank runs a dummy batch of that size), else each runs its own unpadded.
/// That all-reduce costs the GPUs nothing: with async scheduling (vLLM 0.19's default) vLLM runs it
/// on the CPU over Gloo (<c>disable_nccl_for_dp_synchronization</c> turns true, <c>VllmConfig.__post_init__</c>;
/// the RTX 4090 run's resolved config records it), while the GPUs still run the previous step, as
/// the rest of the next step's CPU work. A step lasts the slowest engine's non-expert work plus the
/// MoE layers' slowest-rank time and token exchange. Without expert parallelism each engine is a
/// group of its own.
/// </summary>
public sealed class EpGroup
{
    private readonly EngineCore[] _engines;
    private readonly IStepCostModel _cost;
    private readonly CudaGraphSizes _graphs;
    private readonly BatchShape[] _batches;
    private readonly int[] _tokens;
    private readonly int[] _domainTokens;

    public EpGroup(EngineCore[] engines, IStepCostModel cost, ExpertParallelCost? moe, CudaGraphSizes graphs)
    {
        _engines = engines;
        _cost = cost;
        _graphs = graphs;
        Moe = moe;
        _batches = new BatchShape[engines.Length];
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double? TryStartStep(double now)
    {
        var any = false;
        var largest = 0;
        Array.Clear(_domainTokens);
        for (var i = 0; i < _engines.Length; i++)
        {
            var batch = _batches[i] = _engines[i].HasWork ? _engines[i].Schedule(now) : default;
            if (!batch.IsEmpty)
                for (var d = 0; d < _domainTokens.Length; d++) _domainTokens[d] += _engines[i].DomainTokens[d];
            any |= !batch.IsEmpty;
            largest = Math.Max(largest, batch.Tokens);
        }
        if (!any) return null;
        // The graph mode is the least any rank can run: pad only when the largest rank fits a graph.
        var pad = _engines.Length > 1 && largest <= _graphs.Largest ? largest : 0;
        var slowestEngine = 0.0;
        for (var i = 0; i < _engines.Length; i++)
        {
            var batch = pad > 0 ? _batches[i] with { PadTo = pad } : _batches[i];
            _tokens[i] = Math.Max(batch.Tokens, batch.PadTo);
            slowestEngine = Math.Max(slowestEngine, _cost.EngineSeconds(batch));
        }
        Busy = true;
        Steps++;
        var stall = PendingStallSeconds;
        PendingStallSeconds = 0;
        return stall + slowestEngine + (Moe?.StepSeconds(_tokens, _domainTokens) ?? 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CompleteStep(double now)
    {
        foreach (var engine in _engines) engine.CompleteStep(now);
        Busy = false;
    }
}
