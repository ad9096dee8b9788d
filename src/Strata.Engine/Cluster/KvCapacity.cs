namespace Strata.Engine.Cluster;

/// <summary>
/// KV blocks per engine, as vLLM sizes its cache: GPU memory × gpu_memory_utilization, minus the
/// weights that GPU holds (non-expert weights split by TP; routed experts split over the EP ranks,
/// or by TP without EP), minus the activation reserve, divided by the KV bytes of a block.
/// </summary>
public static class KvCapacity
{
    private const double Gib = 1024.0 * 1024 * 1024;

    /// <summary>One engine's KV cache in tokens.</summary>
    public static long TokensPerEngine(ClusterConfig c) => (long)BlocksPerEngine(c) * c.Engine.BlockSize;

    /// <summary>
    /// Longest prompt plus output an engine takes: <c>max_model_len</c> (default the model's context), or its whole KV
    /// cache if smaller, as vLLM refuses to start with a context its cache cannot hold.
    /// </summary>
    public static int MaxModelLen(ClusterConfig c) => (int)Math.Min(c.Engine.MaxModelLen ?? c.Model.MaxModelLen, TokensPerEngine(c));

    public static int BlocksPerEngine(ClusterConfig c)
    {
        if (c.Engine.NumGpuBlocksOverride is { } blocksGiven) return blocksGiven;
        var model = c.Model;
        var expertShare = c.ExpertParallel ? c.ExpertParallelSize : c.TensorParallel;
        var weightsPerGpu = (model.NonExpertParams / c.TensorParallel + model.RoutedExpertParams / expertShare) * model.BytesPerParam;
        var budgetPerGpu = c.Gpu.MemoryBytes * c.Engine.GpuMemoryUtilization;
        var freePerGpu = budgetPerGpu - weightsPerGpu - c.Engine.ActivationReserveGib * Gib;
        if (freePerGpu <= 0)
            throw new ClusterConfigException(
                $"model: {model.Name} puts {weightsPerGpu / 1e9:F1} GB of weights on each {c.Gpu.Name} GPU, which leaves no KV cache " +
                $"in {budgetPerGpu / 1e9:F1} GB (memory × gpu_memory_utilization {c.Engine.GpuMemoryUtilization}) after a " +
                $"{c.Engine.ActivationReserveGib} GiB activation reserve; use more GPUs (parallel.tensor, or parallel.data with expert: true), " +
                "a larger GPU, or a higher gpu_memory_utilization.");
        var kvBytesPerTokenPerGpu = (double)model.KvBytesPerToken / c.TensorParallel;
        var blocks = (int)Math.Floor(freePerGpu / (kvBytesPerTokenPerGpu * c.Engine.BlockSize));
        if (blocks < 1)
            throw new ClusterConfigException($"engine: the KV cache of {c.Model.Name} on {c.Gpu.Name} holds no {c.Engine.BlockSize}-token block; lower block_size or add GPUs.");
        return blocks;
    }
}
