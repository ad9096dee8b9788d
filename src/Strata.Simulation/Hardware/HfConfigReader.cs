using System.Text.Json;
using Strata.Simulation.Cluster;

namespace Strata.Simulation.Hardware;

/// <summary>
/// Reads a Hugging Face <c>config.json</c> of a MoE model (Qwen2/3-MoE, Mixtral, DeepSeek V2/V3)
/// into a <see cref="ModelSpec"/>: sizes, parameter count (attention incl. MLA, router, routed and
/// shared experts, dense layers, embeddings) and KV bytes per token (MLA keeps the latent).
/// </summary>
public static class HfConfigReader
{
    public static ModelSpec Read(string path)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ClusterConfigException($"model: {path} is not valid JSON ({e.Message}).");
        }

        int Int(string key) => Optional(key) ?? throw new ClusterConfigException($"model: {path} has no '{key}'; it does not look like an HF config.json of a MoE model.");
        int? Optional(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
        int First(params string[] keys) => keys.Select(Optional).FirstOrDefault(v => v is not null)
            ?? throw new ClusterConfigException($"model: {path} has none of {string.Join(", ", keys)}; Strata simulates MoE models only.");

        var hidden = Int("hidden_size");
        var layers = Int("num_hidden_layers");
        var heads = Int("num_attention_heads");
        var kvHeads = Optional("num_key_value_heads") ?? heads;
        var vocab = Int("vocab_size");
        var experts = First("num_experts", "num_local_experts", "n_routed_experts");
        var topK = Int("num_experts_per_tok");
        var denseIntermediate = Optional("intermediate_size") ?? 0;
        var expertIntermediate = Optional("moe_intermediate_size") ?? denseIntermediate;
        if (expertIntermediate == 0) throw new ClusterConfigException($"model: {path} has neither moe_intermediate_size nor intermediate_size.");
        var shared = Optional("n_shared_experts") ?? 0;
        var firstDense = Optional("first_k_dense_replace") ?? 0;
        var kvLora = Optional("kv_lora_rank");
        var ropeDim = Optional("qk_rope_head_dim") ?? 0;
        var nopeDim = Optional("qk_nope_head_dim") ?? 0;
        var vDim = Optional("v_head_dim") ?? 0;
        var qLora = Optional("q_lora_rank");
        var headDim = Optional("head_dim") ?? (kvLora is not null ? nopeDim + ropeDim : hidden / heads);
        var tied = root.TryGetProperty("tie_word_embeddings", out var t) && t.ValueKind == JsonValueKind.True;

        double attention = kvLora is { } rank
            ? (qLora is { } q ? (double)hidden * q + (double)q * heads * (nopeDim + ropeDim) : (double)hidden * heads * (nopeDim + ropeDim))
              + (double)hidden * (rank + ropeDim) + (double)rank * heads * (nopeDim + vDim) + (double)heads * vDim * hidden
            : (double)hidden * heads * headDim * 2 + 2.0 * hidden * kvHeads * headDim;
        var perExpert = 3.0 * hidden * expertIntermediate;
        var moeLayer = experts * perExpert + shared * perExpert + (double)hidden * experts;
        var denseLayer = 3.0 * hidden * denseIntermediate;
        var total = layers * (attention + 2.0 * hidden) + (layers - firstDense) * moeLayer + firstDense * denseLayer
                    + (double)vocab * hidden * (tied ? 1 : 2) + hidden;

        var fp8 = root.TryGetProperty("quantization_config", out var quant) && quant.TryGetProperty("quant_method", out var method) && method.GetString() == "fp8";
        return new ModelSpec
        {
            Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) is { Length: > 0 } folder ? folder : "custom",
            Layers = layers,
            FirstDenseLayers = firstDense,
            HiddenSize = hidden,
            AttentionHeads = heads,
            KvHeads = kvHeads,
            HeadDim = headDim,
            VocabSize = vocab,
            RoutedExperts = experts,
            ExpertsPerToken = topK,
            ExpertIntermediateSize = expertIntermediate,
            SharedExperts = shared,
            ExpertGroups = Optional("n_group") ?? 1,
            TotalParams = total,
            KvBytesPerToken = kvLora is { } latent ? (long)(latent + ropeDim) * layers * 2 : 2L * layers * kvHeads * headDim * 2,
            MaxModelLen = Optional("max_position_embeddings") ?? 32_768,
            BytesPerParam = fp8 ? 1 : 2,
        };
    }
}
