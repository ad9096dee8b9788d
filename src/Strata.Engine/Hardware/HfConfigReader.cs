using System.Text.Json;
using Strata.Engine.Cluster;

namespace Strata.Engine.Hardware;

/// <summary>
/// Reads a Hugging Face <c>config.json</c> of a MoE model (Qwen2/3-MoE, Mixtral, DeepSeek V2/V3) or a
/// dense one (Llama, Qwen3; no expert count) into a <see cref="ModelSpec"/>: sizes, parameter count
/// (attention incl. MLA, router, routed and shared experts, dense MLPs, embeddings) and KV bytes per
/// token (MLA keeps the latent).
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

        int Int(string key) => Optional(key) ?? throw new ClusterConfigException($"model: {path} has no '{key}'; it does not look like an HF config.json; point model: at the model's config.json.");
        int? Optional(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

        var hidden = Int("hidden_size");
        var layers = Int("num_hidden_layers");
        var heads = Int("num_attention_heads");
        var kvHeads = Optional("num_key_value_heads") ?? heads;
        var vocab = Int("vocab_size");
        // No expert count: a dense model, whose every layer has the dense MLP.
        var experts = new[] { "num_experts", "num_local_experts", "n_routed_experts" }.Select(Optional).FirstOrDefault(v => v is > 0) ?? 0;
        var topK = experts > 0 ? Int("num_experts_per_tok") : 0;
        var denseIntermediate = Optional("intermediate_size") ?? 0;
        var expertIntermediate = experts > 0 ? Optional("moe_intermediate_size") ?? denseIntermediate : 0;
        if (denseIntermediate == 0 && expertIntermediate == 0)
            throw new ClusterConfigException($"model: {path} has neither moe_intermediate_size nor intermediate_size; point model: at the model's complete config.json.");
        var shared = Optional("n_shared_experts") ?? 0;
        var firstDense = experts > 0 ? Optional("first_k_dense_replace") ?? 0 : layers;
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
        var moeLayer = experts > 0 ? experts * perExpert + shared * perExpert + (double)hidden * experts : 0;
        var denseLayer = 3.0 * hidden * denseIntermediate;
        var total = layers * (attention + 2.0 * hidden) + (layers - firstDense) * moeLayer + firstDense * denseLayer
                    + (double)vocab * hidden * (tied ? 1 : 2) + hidden;

        var fp8 = root.TryGetProperty("quantization_config", out var quant) && quant.TryGetProperty("quant_method", out var method) && method.GetString() == "fp8";
        return new ModelSpec
        {
            Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) is { Length: > 0 } folder ? folder : "custom",
            Layers = layers,
            FirstDenseLayers = experts > 0 ? firstDense : 0,
            IntermediateSize = denseIntermediate,
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
