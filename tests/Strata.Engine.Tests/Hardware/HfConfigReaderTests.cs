using Strata.Engine.Cluster;
using Strata.Engine.Hardware;

namespace Strata.Engine.Tests.Hardware;

public class HfConfigReaderTests
{
    private static ModelSpec Read(string json)
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, json);
        return HfConfigReader.Read(path);
    }

    /// <summary>Values from the models' config.json files (as published on Hugging Face).</summary>
    [Fact]
    public void Qwen3_moe_matches_the_preset()
    {
        var m = Read("""
            {"architectures":["Qwen3MoeForCausalLM"],"hidden_size":2048,"num_hidden_layers":48,"num_attention_heads":32,
             "num_key_value_heads":4,"head_dim":128,"num_experts":128,"num_experts_per_tok":8,"moe_intermediate_size":768,
             "intermediate_size":6144,"vocab_size":151936,"tie_word_embeddings":false,"max_position_embeddings":40960,"torch_dtype":"bfloat16"}
            """);
        Assert.Equal(98_304, m.KvBytesPerToken);
        Assert.Equal(ModelPresets.Qwen3_30B_A3B.TotalParams, m.TotalParams, ModelPresets.Qwen3_30B_A3B.TotalParams * 0.01);
        Assert.Equal(128, m.RoutedExperts);
        Assert.Equal(0, m.FirstDenseLayers);
    }

    /// <summary>Issue #12: a dense model's config has no expert count; it is read as dense, not rejected.</summary>
    [Fact]
    public void A_dense_llama_config_matches_the_preset()
    {
        var m = Read("""
            {"architectures":["LlamaForCausalLM"],"hidden_size":4096,"num_hidden_layers":32,"num_attention_heads":32,
             "num_key_value_heads":8,"intermediate_size":14336,"vocab_size":128256,"tie_word_embeddings":false,"max_position_embeddings":131072}
            """);
        Assert.False(m.IsMoe);
        Assert.Equal(0, m.MoeLayers);
        Assert.Equal(14_336, m.IntermediateSize);
        Assert.Equal(ModelPresets.Llama31_8B.KvBytesPerToken, m.KvBytesPerToken);
        // 32 × (41.9 M attention + 176.2 M MLP + norms) + 2 × 525.3 M embedding and lm_head = 8.03 B.
        Assert.Equal(ModelPresets.Llama31_8B.TotalParams, m.TotalParams, 0.01e9);
        Assert.Equal(0, m.NonExpertParams - m.TotalParams);
    }

    [Fact]
    public void Mixtral_uses_local_experts_and_intermediate_size()
    {
        var m = Read("""
            {"hidden_size":4096,"num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"intermediate_size":14336,
             "num_local_experts":8,"num_experts_per_tok":2,"vocab_size":32000,"max_position_embeddings":32768}
            """);
        Assert.Equal(131_072, m.KvBytesPerToken);
        Assert.Equal(46.7e9, m.TotalParams, 46.7e9 * 0.02);
    }

    [Fact]
    public void DeepSeek_v2_lite_has_mla_latent_kv_shared_experts_and_a_dense_layer()
    {
        var m = Read("""
            {"hidden_size":2048,"num_hidden_layers":27,"num_attention_heads":16,"num_key_value_heads":16,"kv_lora_rank":512,
             "q_lora_rank":null,"qk_nope_head_dim":128,"qk_rope_head_dim":64,"v_head_dim":128,"n_routed_experts":64,"n_shared_experts":2,
             "num_experts_per_tok":6,"moe_intermediate_size":1408,"intermediate_size":10944,"first_k_dense_replace":1,"n_group":1,
             "vocab_size":102400,"max_position_embeddings":163840}
            """);
        Assert.Equal(31_104, m.KvBytesPerToken);
        Assert.Equal(15.71e9, m.TotalParams, 15.71e9 * 0.02);
        Assert.Equal(26, m.MoeLayers);
    }

    [Fact]
    public void A_config_without_any_mlp_size_is_refused_with_the_missing_keys()
    {
        var e = Assert.Throws<ClusterConfigException>(() => Read("""{"hidden_size":4096,"num_hidden_layers":32,"num_attention_heads":32,"vocab_size":32000}"""));
        Assert.Contains("neither moe_intermediate_size nor intermediate_size", e.Message);
    }
}
