using Strata.Engine.Hardware;

namespace Strata.Engine.Cost;

/// <summary>
/// Step time from first principles: each piece of work takes the longer of its FLOPs at the
/// GPU's calibrated matmul throughput and its bytes at the calibrated HBM bandwidth, plus fixed
/// per-layer and per-step overheads (docs/calibration.md). Tensor parallelism splits FLOPs and
/// bytes over its GPUs and adds two all-reduces of the hidden states per layer.
/// </summary>
public sealed class RooflineStepCost : IStepCostModel
{
    /// <summary>FLOPs per attention token pair per layer: QKᵀ and PV, 2·head_dim each, per query head.</summary>
    private readonly double _attentionFlopsPerPair;
    private readonly double _matmulParamsPerToken;
    private readonly double _lmHeadParams;
    private readonly double _nonExpertWeightBytes;
    private readonly ModelSpec _model;
    private readonly GpuSpec _gpu;
    private readonly int _tensorParallel;
    private readonly double _flopsPerSecond;
    private readonly double _bytesPerSecond;
    private readonly double _expertBytesPerSecond;
    private readonly double _secondsPerPair;
    private readonly double _secondsPerActivatedExpert;

    public RooflineStepCost(ModelSpec model, GpuSpec gpu, int tensorParallel)
    {
        if (tensorParallel < 1) throw new ArgumentOutOfRangeException(nameof(tensorParallel), "parallel.tensor must be at least 1.");
        _model = model;
        _gpu = gpu;
        _tensorParallel = tensorParallel;
        _lmHeadParams = (double)model.VocabSize * model.HiddenSize;
        // Embedding is a lookup and lm_head runs only for sampled sequences; the rest is matmuls every token passes.
        _matmulParamsPerToken = model.NonExpertParams - 2 * _lmHeadParams;
        _nonExpertWeightBytes = (model.NonExpertParams - _lmHeadParams) * model.BytesPerParam;
        _attentionFlopsPerPair = 4.0 * model.AttentionHeads * model.HeadDim * model.Layers;
        _flopsPerSecond = gpu.Bf16Tflops * 1e12 * gpu.ComputeEfficiency;
        _bytesPerSecond = gpu.HbmTbps * 1e12 * gpu.MemoryEfficiency;
        _expertBytesPerSecond = gpu.HbmTbps * 1e12 * gpu.ExpertMemoryEfficiency;
        _secondsPerPair = 2 * model.ParamsPerExpert / _flopsPerSecond;
        _secondsPerActivatedExpert = model.ExpertBytes / _expertBytesPerSecond;
    }

    public double EngineSeconds(in BatchShape batch)
    {
        var flops = 2 * _matmulParamsPerToken * batch.Tokens
                    + 2 * _lmHeadParams * batch.Seqs
                    + _attentionFlopsPerPair * (batch.PrefillAttentionPairs + batch.DecodeContextTokens);
        var kvBytes = (double)_model.KvBytesPerToken * (batch.DecodeContextTokens + batch.Tokens);
        var bytes = _nonExpertWeightBytes + kvBytes;
        var compute = Math.Max(flops / _flopsPerSecond, bytes / _bytesPerSecond) / _tensorParallel;
        return compute + AllReduceSeconds(batch.Tokens) + _model.Layers * _gpu.LayerOverheadSeconds + _gpu.StepOverheadSeconds;
    }

    public double MoeLayerSeconds(double assignments, double activatedExperts)
    {
        return assignments <= 0 ? 0 : Math.Max(assignments * _secondsPerPair, activatedExperts * _secondsPerActivatedExpert);
    }

    /// <summary>The all-reduces after attention and after the MLP of every layer.</summary>
    private double AllReduceSeconds(int tokens) =>
        2 * _model.Layers * _gpu.Link.AllReduceSeconds((double)tokens * _model.HiddenSize * 2, _tensorParallel);
}
