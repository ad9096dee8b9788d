using Strata.Core.Policies;
using Strata.Engine.Hardware;

namespace Strata.Engine.Cluster;

/// <summary>
/// A serving cluster: the GPU, the model, the parallel layout, vLLM's engine knobs, the step
/// model and the policy stack. Keys in the YAML file are vLLM's snake_case names.
/// </summary>
public sealed record ClusterConfig
{
    public required string Name { get; init; }
    public required GpuSpec Gpu { get; init; }
    public required ModelSpec Model { get; init; }
    public int DataParallel { get; init; } = 1;
    public int TensorParallel { get; init; } = 1;
    public bool ExpertParallel { get; init; } = true;
    public int GpusPerNode { get; init; } = 8;
    public EngineKnobs Engine { get; init; } = new();
    public StepModelChoice StepModel { get; init; } = new("roofline", null);
    public PolicyOptions Queue { get; init; } = new("fcfs", section: "queue");
    public PolicyOptions Dispatch { get; init; } = new("vllm-dp", section: "dispatch");

    /// <summary>The gateway's admission stage in front of the engines; null: requests go straight to an engine, as vLLM's DP client sends them.</summary>
    public GatewayStage? Gateway { get; init; }
    public ExpertsKnobs Experts { get; init; } = new();
    public RoutingKnobs Routing { get; init; } = new();
    public EpCostKnobs EpCost { get; init; } = new();

    /// <summary>Seconds between engine stats publications the router sees (vLLM's DP coordinator: ~0.1 s).</summary>
    public double StatsIntervalSeconds { get; init; } = 0.1;

    public int Gpus => DataParallel * TensorParallel;

    /// <summary>EP ranks: with expert parallelism every GPU is one; without, experts are TP-sharded on each engine; a dense model has none.</summary>
    public int ExpertParallelSize => ExpertParallel && Model.IsMoe ? Gpus : 1;

    /// <summary>DP engines step in lockstep only when their MoE layers form one expert-parallel group.</summary>
    public bool LockstepDataParallel => ExpertParallel && Model.IsMoe;
}

/// <summary>vLLM engine arguments that shape scheduling.</summary>
public sealed record EngineKnobs
{
    public int MaxNumSeqs { get; init; } = 256;
    public int MaxNumBatchedTokens { get; init; } = 2048;
    public int BlockSize { get; init; } = 16;
    public double GpuMemoryUtilization { get; init; } = 0.9;
    public bool EnablePrefixCaching { get; init; } = true;

    /// <summary>GiB per GPU kept for activations, CUDA graphs and the allocator (vLLM's profile run finds ~2–4).</summary>
    public double ActivationReserveGib { get; init; } = 3;

    /// <summary>
    /// vLLM's <c>scheduler_reserve_full_isl</c> (default true since vLLM 0.19): a waiting request is admitted only if its
    /// whole current sequence fits in the free KV blocks, so chunked prefill does not over-admit and thrash the cache.
    /// </summary>
    public bool SchedulerReserveFullIsl { get; init; } = true;

    /// <summary>
    /// vLLM's <c>async_scheduling</c> (on by default in vLLM 0.19, the recorded runs' resolved config): the engine core
    /// decides each step while the one before it runs, so a request that arrives during a step joins one step later.
    /// </summary>
    public bool AsyncScheduling { get; init; } = true;

    /// <summary>vLLM's <c>max_model_len</c>: the longest prompt plus output a request may have; null takes the model's own.</summary>
    public int? MaxModelLen { get; init; }

    /// <summary>vLLM's <c>num_gpu_blocks_override</c>: KV blocks per engine as a recorded run resolved them, instead of sizing them from memory.</summary>
    public int? NumGpuBlocksOverride { get; init; }
}

/// <summary>
/// Which step-cost model times the steps: <c>roofline</c>, or <c>profile</c> with a directory of measured tables —
/// an absolute path (a cluster file's, resolved from its folder), or a preset's folder inside Strata's data folder.
/// </summary>
public sealed record StepModelChoice(string Kind, string? Directory);

/// <summary>
/// Expert placement and rebalancing, with vLLM EPLB's names and defaults: every
/// <c>step_interval</c> steps the planner re-places experts from the last <c>window_size</c> steps' load.
/// With <c>warm_start</c> (the default) a run starts in steady state, from the planner's placement for
/// the workload's long-run traffic mix, as on a cluster that has served this traffic for a while.
/// </summary>
public sealed record ExpertsKnobs
{
    public PolicyOptions Planner { get; init; } = new("contiguous", section: "experts");

    /// <summary>Steps between re-placements; 0 keeps the first placement for the whole run.</summary>
    public int StepInterval { get; init; } = 3000;

    public int WindowSize { get; init; } = 1000;

    /// <summary>
    /// True: start from the planner's placement for the workload's mix of request domains (steady state).
    /// False: start from vLLM's contiguous layout, as a freshly started server does, until the first re-placement.
    /// </summary>
    public bool WarmStart { get; init; } = true;

    /// <summary>Physical slots beyond one per logical expert, over all EP ranks (vLLM's <c>num_redundant_experts</c>).</summary>
    public int RedundantSlots { get; init; }
}

/// <summary>
/// How an expert-parallel MoE layer moves tokens between ranks (vLLM's <c>all2all_backend</c>) and what that costs.
/// vLLM 0.19's default, <c>allgather_reducescatter</c>, gathers every DP rank's hidden states (padded to the largest
/// rank's token count) onto every EP rank before the experts and reduce-scatters the outputs after, over NCCL: its
/// cost is the GPU link's (<see cref="Hardware.GpuSpec.Link"/>), nothing fitted. <c>all_to_all</c> is a
/// dispatch/combine kernel (DeepEP, pplx-kernels) sending each token only to the ranks of its experts: a fixed
/// latency per kernel, from pplx-kernels' published table, plus the bytes at the same link's rate. Only the
/// <c>-fitted</c> presets change these knobs, with constants fitted to the Gimbal paper's measurements
/// (docs/calibration.md "Expert parallelism").
/// </summary>
public sealed record EpCostKnobs
{
    /// <summary><c>allgather_reducescatter</c> (vLLM 0.19's default) or <c>all_to_all</c>.</summary>
    public string Backend { get; init; } = AllGatherReduceScatter;

    /// <summary>
    /// all_to_all only: fixed cost of one dispatch or combine kernel, seconds; two per MoE layer per step. By default
    /// pplx-kernels' own measurement over NVLink at one token per GPU: dispatch 41.6 µs, combine 41.7 µs (the
    /// perplexityai/pplx-kernels README, "Benchmark Results", EP8; read in its fork wufann/pplx-kernels @ 12cecfd).
    /// </summary>
    public double AllToAllLatencySeconds { get; init; } = 41.65e-6;

    /// <summary>all_to_all only: speed of the EP expert kernel relative to the roofline's fused MoE (1 = as fast; 0.5 = twice as slow).</summary>
    public double ExpertComputeEfficiency { get; init; } = 1.0;

    public const string AllGatherReduceScatter = "allgather_reducescatter";
    public const string AllToAll = "all_to_all";
}

/// <summary>Shape of the simulated expert routing (docs/experts.md has the calibration).</summary>
public sealed record RoutingKnobs
{
    /// <summary>σ of the lognormal expert popularity per layer and domain; 0 is uniform routing.</summary>
    public double Skew { get; init; } = 0.8;

    /// <summary>Correlation of the domains' expert preferences (OLMoE: ≈ 0.1 and below).</summary>
    public double DomainCorrelation { get; init; } = 0.1;

    /// <summary>Seconds between popularity drift epochs (traffic mix shifts over minutes); 0 turns drift off.</summary>
    public double DriftIntervalSeconds { get; init; } = 300;

    /// <summary>Autocorrelation of popularity from one drift epoch to the next.</summary>
    public double DriftPersistence { get; init; } = 0.9;

    /// <summary>Share of a token's next-layer choice that follows its expert's affinity set rather than popularity (OLMoE: ≈ 0.12).</summary>
    public double LayerAffinity { get; init; } = 0.12;

    /// <summary>Seed of the popularity draw (the workload seed drives the per-step sampling).</summary>
    public int Seed { get; init; } = 7;
}
