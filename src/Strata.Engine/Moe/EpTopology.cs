namespace Strata.Engine.Moe;

/// <summary>How an EP group's ranks sit on GPUs, nodes and links.</summary>
/// <param name="TensorParallel">GPUs per DP engine; with EP each is one EP rank.</param>
/// <param name="ExpertParallel">False: every engine holds all experts, TP-sharded.</param>
/// <param name="GpusPerNode">Ranks per node; traffic between nodes uses the slower link.</param>
/// <param name="HiddenSize">Model hidden size (bf16 hidden states cross ranks).</param>
/// <param name="Link">The intra-node GPU link as collectives achieve it: the bandwidth both backends move tokens at.</param>
/// <param name="InterNodeGbps">Inter-node bandwidth per GPU, GB/s one direction.</param>
/// <param name="AllToAllLatencySeconds">all_to_all only: fixed cost of one dispatch or combine kernel.</param>
/// <param name="ExpertComputeEfficiency">all_to_all only: speed of the EP expert kernel relative to the roofline's (1 = as fast).</param>
/// <param name="AllGatherReduceScatter">True for vLLM's allgather_reducescatter exchange, false for an all-to-all kernel.</param>
public readonly record struct EpTopology(
    int TensorParallel,
    bool ExpertParallel,
    int GpusPerNode,
    int HiddenSize,
    Hardware.LinkSpec Link,
    double InterNodeGbps,
    double AllToAllLatencySeconds,
    double ExpertComputeEfficiency,
    bool AllGatherReduceScatter);
