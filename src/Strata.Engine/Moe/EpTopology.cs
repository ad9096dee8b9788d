namespace Strata.Engine.Moe;

/// <summary>How an EP group's ranks sit on GPUs, nodes and links.</summary>
/// <param name="TensorParallel">GPUs per DP engine; with EP each is one EP rank.</param>
/// <param name="ExpertParallel">False: every engine holds all experts, TP-sharded.</param>
/// <param name="GpusPerNode">Ranks per node; traffic between nodes uses the slower link.</param>
/// <param name="HiddenSize">Model hidden size (bf16 hidden states cross ranks).</param>
/// <param name="LinkGbps">Intra-node GPU link, GB/s both directions.</param>
/// <param name="InterNodeGbps">Inter-node bandwidth per GPU, GB/s one direction.</param>
/// <param name="AllToAllLatencySeconds">Fixed cost of one dispatch or combine kernel.</param>
/// <param name="ExpertComputeEfficiency">Speed of the EP expert kernel relative to the roofline's (1 = as fast).</param>
/// <param name="AllGatherLink">The link of vLLM's allgather_reducescatter backend; null for an all-to-all backend.</param>
public readonly record struct EpTopology(
    int TensorParallel,
    bool ExpertParallel,
    int GpusPerNode,
    int HiddenSize,
    double LinkGbps,
    double InterNodeGbps,
    double AllToAllLatencySeconds,
    double ExpertComputeEfficiency,
    Hardware.LinkSpec? AllGatherLink = null);
