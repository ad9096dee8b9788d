namespace Strata.Simulation.Hardware;

/// <summary>Models of the papers and the peers' evaluations; numbers from their Hugging Face config.json.</summary>
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

    public static IReadOnlyDictionary<string, ModelSpec> All { get; } =
        new[] { Qwen3_30B_A3B, Mixtral_8x7B, DeepSeek_V2_Lite, DeepSeek_V3 }.ToDictionary(m => m.Name, StringComparer.Ordinal);
}
