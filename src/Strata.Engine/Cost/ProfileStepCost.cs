using System.Runtime.CompilerServices;
using Strata.Engine.Hardware;

namespace Strata.Engine.Cost;

/// <summary>
/// Step time from measured per-layer kernel times (LLMServingSim's profiler layout, e.g.
/// data/profiles/rtxpro6000-qwen3-30b-a3b), as LLMServingSim's trace generator sums them
/// (casys-kaist/LLMServingSim <c>serving/core/trace_generator.py</c>, commit 5daddb2): per decoder layer
/// every op of dense.csv (two layernorms: input and post-attention; the MLP's <c>gate_up_proj</c>, <c>act_fn</c>,
/// <c>down_proj</c> of a dense model) plus attention, times the model's layers; embedding, final norm,
/// lm_head and sampler once; for a MoE model, moe.csv by (tokens, activated experts), where an EP rank
/// with A token-expert pairs counts as A / top-k tokens. The tables of a tensor-parallel profile are
/// per shard, so with tensor parallelism the step adds vLLM's collectives over the link: two all-reduces
/// per layer (after <c>o_proj</c> and the MLP), one after the vocab-parallel embedding, and the all-gather of
/// the vocab-parallel logits (<c>LogitsProcessor._gather_logits</c>; vLLM 0.19's <c>Platform.use_all_gather</c> is true
/// on every platform). Between grid points values are
/// interpolated linearly on every axis (<see cref="Curve"/>) and extended
/// linearly past the grid; every grid point is reproduced exactly. Attention over its four axes is
/// <see cref="AttentionGrid"/>; several prefill chunks in one step are priced per chunk (one varlen
/// kernel: the launch once, each chunk's own attention), and a decode batch with uneven KV lengths
/// gets the profile's skew correction (<see cref="SkewFit"/>). The profile is eager kernel time; a step
/// that fits a CUDA graph runs its dense layers at the graph's padded size (<see cref="CudaGraphSizes"/>).
/// </summary>
public sealed class ProfileStepCost : IStepCostModel
{
    private static readonly string[] PerModelOps = ["embedding", "final_layernorm"];
    private static readonly string[] AttentionOps = ["layernorm", "qkv_proj", "o_proj", "rotary_emb"];
    private static readonly string[] MlpOps = ["gate_up_proj", "act_fn", "down_proj"];

    private readonly Surface? _moe;
    private readonly AttentionGrid _attention;
    private readonly SkewFit? _skew;
    private readonly double _attentionLaunchSeconds;
    private readonly (Curve Curve, int Times)[] _perLayer;
    private readonly Curve[] _perModel;
    private readonly Curve _lmHead;
    private readonly Curve _sampler;
    private readonly int _layers;
    private readonly int _topK;
    private readonly double _hiddenBytes;
    private readonly double _vocabBytes;
    private readonly int _tensorParallel;
    private readonly LinkSpec? _link;
    private readonly CudaGraphSizes? _graphs;

    /// <param name="directory">The profile folder.</param>
    /// <param name="model">The model the profile measured.</param>
    /// <param name="tensorParallel">The tensor parallelism the profile was taken at (its tables are per shard).</param>
    /// <param name="link">The link the TP group's collectives run over; needed above TP 1.</param>
    /// <param name="graphs">The CUDA graph sizes steps are padded to; null runs every step eager (the profile's own setting).</param>
    public ProfileStepCost(string directory, ModelSpec model, int tensorParallel = 1, LinkSpec? link = null,
        CudaGraphSizes? graphs = null)
    {
        _graphs = graphs;
        if (!Directory.Exists(directory))
            throw new ProfileException($"step_model.dir: '{directory}' is not a directory; point it at a profile folder such as data/profiles/rtxpro6000-qwen3-30b-a3b of the repository (a relative path is taken from the cluster file's folder).");
        if (tensorParallel > 1 && link is null)
            throw new ArgumentException("A tensor-parallel profile step model needs the link its collectives run over.", nameof(link));
        _layers = model.Layers;
        _topK = model.ExpertsPerToken;
        _hiddenBytes = model.HiddenSize * 2.0;
        _vocabBytes = model.VocabSize * 2.0;
        _tensorParallel = tensorParallel;
        _link = tensorParallel > 1 ? link : null;

        if (model.IsMoe)
        {
            if (!File.Exists(Path.Combine(directory, "moe.csv")))
                throw new ProfileException($"step_model.dir: {Path.Combine(directory, "moe.csv")} is missing; {model.Name} is a MoE model and its expert layers are timed from moe.csv. Use a profile folder that has it (LLMServingSim profiles the MoE block once, at TP 1: data/profiles/rtxpro6000-qwen3-30b-a3b).");
            _moe = new Surface(ProfileTable.Rows(directory, "moe.csv", "tokens", "activated_experts", "time_us")
                .Select(c => (ProfileTable.Number(c[0]), ProfileTable.Number(c[1]), ProfileTable.Number(c[2]) * 1e-6)));
        }

        var attention = ProfileTable.Rows(directory, "attention.csv", "prefill_chunk", "kv_prefill", "n_decode", "kv_decode", "time_us")
            .Select(c => (Chunk: ProfileTable.Number(c[0]), Prior: ProfileTable.Number(c[1]), Decodes: ProfileTable.Number(c[2]), Kv: ProfileTable.Number(c[3]), Seconds: ProfileTable.Number(c[4]) * 1e-6))
            .ToArray();
        _attention = new AttentionGrid(attention);
        // The fixed part of one attention launch: the prefill-only kernel at its smallest measured chunk.
        _attentionLaunchSeconds = attention.Where(a => a.Prior == 0 && a.Decodes == 0 && a.Chunk > 0).MinBy(a => a.Chunk).Seconds;
        _skew = SkewFit.Read(directory, tensorParallel);

        var densePath = Path.Combine(directory, "dense.csv");
        var dense = ProfileTable.Rows(directory, "dense.csv", "layer", "tokens", "time_us")
            .Select(c => (Op: c[0], Tokens: ProfileTable.Number(c[1]), Seconds: ProfileTable.Number(c[2]) * 1e-6))
            .GroupBy(d => d.Op).ToDictionary(g => g.Key, g => new Curve(g.Select(d => (d.Tokens, d.Seconds))), StringComparer.Ordinal);
        var required = AttentionOps.Concat(PerModelOps).Concat(model.IsMoe ? [] : MlpOps);
        foreach (var op in required)
            if (!dense.ContainsKey(op))
                throw new ProfileException(model.IsMoe || !MlpOps.Contains(op)
                    ? $"{densePath}: no rows for '{op}'; the profile must time every op of a decoder layer."
                    : $"{densePath}: no rows for '{op}'; {model.Name} is dense and its MLP ({string.Join(", ", MlpOps)}) is timed from dense.csv. Use the profile of this dense model.");
        if (model.IsMoe && MlpOps.FirstOrDefault(dense.ContainsKey) is { } mlp)
            throw new ProfileException($"{densePath}: has '{mlp}', a dense MLP, but {model.Name} is a MoE model whose MLP is moe.csv; use the profile of this model.");
        _perModel = PerModelOps.Select(op => dense[op]).ToArray();
        _perLayer = dense.Where(d => !PerModelOps.Contains(d.Key)).OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => (d.Value, d.Key == "layernorm" ? 2 : 1)).ToArray();

        var perSequence = ProfileTable.Rows(directory, "per_sequence.csv", "layer", "sequences", "time_us")
            .Select(c => (Op: c[0], Seqs: ProfileTable.Number(c[1]), Seconds: ProfileTable.Number(c[2]) * 1e-6)).ToArray();
        Curve Op(string name) => perSequence.Any(p => p.Op == name)
            ? new Curve(perSequence.Where(p => p.Op == name).Select(p => (p.Seqs, p.Seconds)))
            : throw new ProfileException($"{Path.Combine(directory, "per_sequence.csv")}: no rows for '{name}'.");
        _lmHead = Op("lm_head");
        _sampler = Op("sampler");
    }

    public double EngineSeconds(in BatchShape batch)
    {
        // No fixed step overhead: vLLM 0.19 schedules asynchronously, overlapping the next step's CPU work with this one.
        var seconds = 0.0;
        if (batch.IsEmpty && batch.PadTo == 0) return seconds;
        // Dense layers and all-reduces run on the DP- and CUDA-graph-padded token count; attention on the real requests only.
        var unpadded = Math.Max(batch.Tokens, batch.PadTo);
        var tokens = _graphs?.Pad(unpadded) ?? unpadded;
        var perLayer = Attention(batch);
        foreach (var (curve, times) in _perLayer) perLayer += times * curve[tokens];
        if (_link is { } link)
        {
            perLayer += 2 * link.AllReduceSeconds(tokens * _hiddenBytes, _tensorParallel);
            seconds += link.AllReduceSeconds(tokens * _hiddenBytes, _tensorParallel) + link.AllGatherSeconds(batch.Seqs * _vocabBytes, _tensorParallel);
        }
        seconds += _layers * perLayer;
        foreach (var curve in _perModel) seconds += curve[tokens];
        // An idle DP rank's dummy batch runs the layers but samples nothing.
        return batch.Seqs == 0 ? seconds : seconds + _lmHead[batch.Seqs] + _sampler[batch.Seqs];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double MoeLayerSeconds(double assignments, double activatedExperts) =>
        assignments <= 0 ? 0
        : _moe is { } moe ? moe[Math.Max(1, assignments / _topK), activatedExperts]
        : throw new InvalidOperationException("A dense model's profile has no MoE layers to time.");

    /// <summary>
    /// One attention layer of the step. The decodes run with the largest prefill chunk (the profile measured
    /// mixed batches of one chunk); every further chunk adds its own prefill-only time less the launch.
    /// </summary>
    public double Attention(in BatchShape batch)
    {
        if (batch.PrefillChunks is not { Count: > 1 } chunks)
        {
            var prior = batch.PrefillTokens > 0 ? (double)batch.PrefillChunkTimesPrior / batch.PrefillTokens : 0;
            return Attention(batch.PrefillTokens, prior, batch, batch.DecodeSeqs);
        }
        var largest = 0;
        for (var i = 1; i < chunks.Count; i++)
            if (chunks[i].Tokens > chunks[largest].Tokens) largest = i;
        var seconds = Attention(chunks[largest].Tokens, chunks[largest].Prior, batch, batch.DecodeSeqs);
        for (var i = 0; i < chunks.Count; i++)
            if (i != largest) seconds += Math.Max(0, _attention[chunks[i].Tokens, chunks[i].Prior, 0, 0] - _attentionLaunchSeconds);
        return seconds;
    }

    /// <summary>One attention layer of a uniform batch: a prefill chunk over its prior KV, and decodes all at one KV length.</summary>
    public double Attention(double chunk, double prior, double decodes, double kv) =>
        chunk == 0 && decodes == 0 ? 0 : _attention[chunk, prior, decodes, kv];

    /// <summary>One chunk over its prior KV with the step's decodes, skew-corrected when their KV lengths differ.</summary>
    private double Attention(double chunk, double prior, in BatchShape batch, int decodes)
    {
        if (chunk == 0 && decodes == 0) return 0;
        // LLMServingSim keys the decodes by their integer mean KV length.
        var mean = decodes > 0 ? (double)(batch.DecodeContextTokens / decodes) : 0;
        var uniform = _attention[chunk, prior, decodes, mean];
        if (_skew is null || decodes <= 1 || batch.DecodeContextMax <= mean) return uniform;
        var gap = batch.DecodeContextMax - batch.DecodeContextMin;
        var rate = gap > 0 ? (mean - batch.DecodeContextMin) / gap : 0.5;
        var alpha = _skew.Alpha((int)chunk, decodes, rate, batch.DecodeContextMax, (int)prior);
        if (alpha == 0) return uniform;
        var atMax = _attention[chunk, prior, decodes, batch.DecodeContextMax];
        return atMax <= uniform ? uniform : uniform + alpha * (atMax - uniform);
    }
}
