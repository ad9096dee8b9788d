using Strata.Simulation.Hardware;

namespace Strata.Simulation.Cost;

/// <summary>
/// Step time from measured per-layer kernel times (LLMServingSim's profiler layout, e.g.
/// data/profiles/rtxpro6000-qwen3-30b-a3b): one layer's attention, norms and
/// projections times the model's layers, plus embedding, final norm, lm_head and sampler once,
/// plus a fixed per-step overhead; MoE from moe.csv by (tokens, activated experts), where an
/// EP rank with A token-expert pairs counts as A / top-k tokens. Between grid points values are
/// interpolated (linear in log tokens and log sequences, linear in KV length and experts) and
/// extended linearly past the grid; every grid point is reproduced exactly.
/// Attention over its four axes is <see cref="AttentionGrid"/>.
/// </summary>
public sealed class ProfileStepCost : IStepCostModel
{
    /// <summary>Ops that run once per decoder layer in dense.csv (layernorm runs twice: input and post-attention).</summary>
    private static readonly (string Op, int Times)[] PerLayerOps = [("layernorm", 2), ("qkv_proj", 1), ("o_proj", 1), ("qk_norm", 1), ("rotary_emb", 1)];
    private static readonly string[] PerModelOps = ["embedding", "final_layernorm"];

    private readonly Surface _moe;
    private readonly AttentionGrid _attention;
    private readonly Dictionary<string, Curve> _dense;
    private readonly Curve _lmHead;
    private readonly Curve _sampler;
    private readonly int _layers;
    private readonly int _topK;
    private readonly double _stepOverheadSeconds;

    public ProfileStepCost(string directory, ModelSpec model, double stepOverheadSeconds = 1e-3)
    {
        if (!Directory.Exists(directory))
            throw new ProfileException($"step_model.dir: '{directory}' is not a directory; point it at a profile folder such as data/profiles/rtxpro6000-qwen3-30b-a3b of the repository (a relative path is taken from the cluster file's folder).");
        _layers = model.Layers;
        _topK = model.ExpertsPerToken;
        _stepOverheadSeconds = stepOverheadSeconds;

        _moe = new Surface(ProfileTable.Rows(directory, "moe.csv", "tokens", "activated_experts", "time_us")
            .Select(c => (ProfileTable.Number(c[0]), ProfileTable.Number(c[1]), ProfileTable.Number(c[2]) * 1e-6)), logRow: true, logColumn: false);

        var attention = ProfileTable.Rows(directory, "attention.csv", "prefill_chunk", "kv_prefill", "n_decode", "kv_decode", "time_us")
            .Select(c => (Chunk: ProfileTable.Number(c[0]), Prior: ProfileTable.Number(c[1]), Decodes: ProfileTable.Number(c[2]), Kv: ProfileTable.Number(c[3]), Seconds: ProfileTable.Number(c[4]) * 1e-6))
            .ToArray();
        _attention = new AttentionGrid(attention);

        var dense = ProfileTable.Rows(directory, "dense.csv", "layer", "tokens", "time_us")
            .Select(c => (Op: c[0], Tokens: ProfileTable.Number(c[1]), Seconds: ProfileTable.Number(c[2]) * 1e-6)).ToArray();
        _dense = dense.GroupBy(d => d.Op).ToDictionary(g => g.Key, g => new Curve(g.Select(d => (d.Tokens, d.Seconds)), logX: true));
        foreach (var op in PerLayerOps.Select(o => o.Op).Concat(PerModelOps))
            if (!_dense.ContainsKey(op)) throw new ProfileException($"{Path.Combine(directory, "dense.csv")}: no rows for '{op}'.");

        var perSequence = ProfileTable.Rows(directory, "per_sequence.csv", "layer", "sequences", "time_us")
            .Select(c => (Op: c[0], Seqs: ProfileTable.Number(c[1]), Seconds: ProfileTable.Number(c[2]) * 1e-6)).ToArray();
        Curve Op(string name) => perSequence.Any(p => p.Op == name)
            ? new Curve(perSequence.Where(p => p.Op == name).Select(p => (p.Seqs, p.Seconds)), logX: true)
            : throw new ProfileException($"{Path.Combine(directory, "per_sequence.csv")}: no rows for '{name}'.");
        _lmHead = Op("lm_head");
        _sampler = Op("sampler");
    }

    public double EngineSeconds(in BatchShape batch)
    {
        var seconds = _stepOverheadSeconds;
        if (batch.IsEmpty) return seconds;
        var prior = batch.PrefillTokens > 0 ? (double)batch.PrefillChunkTimesPrior / batch.PrefillTokens : 0;
        var kv = batch.DecodeSeqs > 0 ? (double)batch.DecodeContextTokens / batch.DecodeSeqs : 0;
        var perLayer = Attention(batch.PrefillTokens, prior, batch.DecodeSeqs, kv);
        foreach (var (op, times) in PerLayerOps) perLayer += times * _dense[op][batch.Tokens];
        seconds += _layers * perLayer;
        foreach (var op in PerModelOps) seconds += _dense[op][batch.Tokens];
        return seconds + _lmHead[batch.Seqs] + _sampler[batch.Seqs];
    }

    public double MoeLayerSeconds(double assignments, double activatedExperts) =>
        assignments <= 0 ? 0 : _moe[Math.Max(1, assignments / _topK), activatedExperts];

    /// <summary>One attention layer of a batch: prefill chunk tokens over a prior KV, and decodes over their KV.</summary>
    public double Attention(double chunk, double prior, double decodes, double kv) =>
        chunk == 0 && decodes == 0 ? 0 : _attention[chunk, prior, decodes, kv];
}
