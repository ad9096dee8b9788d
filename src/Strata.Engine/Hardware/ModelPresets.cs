namespace Strata.Engine.Hardware;

/// <summary>Models of the papers, the peers' evaluations and the recorded vLLM runs (data/validation); numbers from each model's Hugging Face config.json.</summary>
public static class ModelPresets
{
    public static ModelSpec Qwen3_30B_A3B { get; } = new()
    {
        Name = "qwen3-30b-a3b", Layers = 48, HiddenSize = 2048, AttentionHeads = 32, KvHeads = 4, HeadDim = 128,
        VocabSize = 151_936, RoutedExperts = 128, ExpertsPerToken = 8, ExpertIntermediateSize = 768,
        TotalParams = 30.53e9, KvBytesPerToken = 2L * 48 * 4 * 128 * 2, MaxModelLen = 40_960,
    };

    public static ModelSpec Mixtral_8x7B { get; } = new()
    {
        Name = "mixtral-8x7b", Layers = 32, HiddenSize = 4096, AttentionHeads = 32, KvHeads = 8, HeadDim = 128,
        VocabSize = 32_000, RoutedExperts = 8, ExpertsPerToken = 2, ExpertIntermediateSize = 14_336,
        TotalParams = 46.70e9, KvBytesPerToken = 2L * 32 * 8 * 128 * 2, MaxModelLen = 32_768,
    };

    /// <summary>MLA: the KV cache holds the 512+64 latent per layer.</summary>
    public static ModelSpec DeepSeek_V2_Lite { get; } = new()
    {
        Name = "deepseek-v2-lite", Layers = 27, FirstDenseLayers = 1, HiddenSize = 2048, AttentionHeads = 16, KvHeads = 16,
        HeadDim = 192, VocabSize = 102_400, RoutedExperts = 64, ExpertsPerToken = 6, ExpertIntermediateSize = 1408,
        SharedExperts = 2, TotalParams = 15.71e9, KvBytesPerToken = (512 + 64) * 27 * 2, MaxModelLen = 163_840,
    };

    /// <summary>FP8 weights (block 128×128); MLA latent KV in bf16.</summary>
    public static ModelSpec DeepSeek_V3 { get; } = new()
    {
        Name = "deepseek-v3", Layers = 61, FirstDenseLayers = 3, HiddenSize = 7168, AttentionHeads = 128, KvHeads = 128,
        HeadDim = 192, VocabSize = 129_280, RoutedExperts = 256, ExpertsPerToken = 8, ExpertIntermediateSize = 2048,
        SharedExperts = 1, ExpertGroups = 8, TotalParams = 671e9, KvBytesPerToken = (512 + 64) * 61 * 2,
        MaxModelLen = 163_840, BytesPerParam = 1,
    };

    /// <summary>
    /// Dense (meta-llama/Llama-3.1-8B config.json): 32 layers of attention (32 heads, 8 KV heads of 128) and a
    /// 14,336-wide gated MLP; untied 128,256-token embedding and lm_head. 8.03 B parameters, KV 128 KiB per token.
    /// </summary>
    public static ModelSpec Llama31_8B { get; } = new()
    {
        Name = "llama-3.1-8b", Layers = 32, HiddenSize = 4096, AttentionHeads = 32, KvHeads = 8, HeadDim = 128,
        VocabSize = 128_256, IntermediateSize = 14_336, TotalParams = 8.03e9, KvBytesPerToken = 2L * 32 * 8 * 128 * 2,
        MaxModelLen = 131_072,
    };

    /// <summary>
    /// Dense (Qwen/Qwen3-32B config.json): 64 layers of attention (64 heads, 8 KV heads of 128, q/k norms) and a
    /// 25,600-wide gated MLP; untied 151,936-token embedding and lm_head. 32.8 B parameters, KV 256 KiB per token.
    /// </summary>
    public static ModelSpec Qwen3_32B { get; } = new()
    {
        Name = "qwen3-32b", Layers = 64, HiddenSize = 5120, AttentionHeads = 64, KvHeads = 8, HeadDim = 128,
        VocabSize = 151_936, IntermediateSize = 25_600, TotalParams = 32.76e9, KvBytesPerToken = 2L * 64 * 8 * 128 * 2,
        MaxModelLen = 40_960,
    };

    /// <summary>The presets by the Hugging Face id a recorded vLLM run names (<c>meta.json</c> <c>model</c>).</summary>
    public static IReadOnlyDictionary<string, ModelSpec> ByHuggingFaceId { get; } = new Dictionary<string, ModelSpec>(StringComparer.OrdinalIgnoreCase)
    {
        ["meta-llama/Llama-3.1-8B"] = Llama31_8B,
        ["meta-llama/Llama-3.1-8B-Instruct"] = Llama31_8B,
        ["Qwen/Qwen3-32B"] = Qwen3_32B,
        ["Qwen/Qwen3-30B-A3B"] = Qwen3_30B_A3B,
        ["Qwen/Qwen3-30B-A3B-Instruct-2507"] = Qwen3_30B_A3B,
        ["mistralai/Mixtral-8x7B-v0.1"] = Mixtral_8x7B,
    };

    public static IReadOnlyDictionary<string, ModelSpec> All { get; } =
        new[] { Qwen3_30B_A3B, Mixtral_8x7B, DeepSeek_V2_Lite, DeepSeek_V3, Llama31_8B, Qwen3_32B }.ToDictionary(m => m.Name, StringComparer.Ordinal);
}
