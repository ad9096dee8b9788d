using System.Globalization;
using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Core.Data;
using Strata.Engine.Hardware;
using Strata.Simulation.Workloads;
using Strata.Engine;

namespace Strata.Simulation.Tests.Cost;

/// <summary>
/// The measured Llama-3.1-8B profile (RTX PRO 6000, TP 1): every number below is a row of its CSV files, so each
/// expectation is the hand sum LLMServingSim's trace generator makes of the same rows.
/// </summary>
public class DenseProfileTests
{
    private static readonly string Profile = DataFolder.Path("profiles", "rtxpro6000-llama-3.1-8b");
    private static readonly ProfileStepCost Model = new(Profile, ModelPresets.Llama31_8B);

    private static double Row(string file, string prefix) =>
        double.Parse(File.ReadLines(Path.Combine(Profile, file)).First(l => l.StartsWith(prefix, StringComparison.Ordinal)).Split(',')[^1], CultureInfo.InvariantCulture) * 1e-6;

    [Fact]
    public void A_one_token_decode_is_every_layer_op_incl_the_mlp_plus_head()
    {
        double Dense(string op) => Row("dense.csv", op + ",1,");
        var perLayer = 2 * Dense("layernorm") + Dense("qkv_proj") + Dense("rotary_emb") + Dense("o_proj")
                       + Dense("gate_up_proj") + Dense("act_fn") + Dense("down_proj") + Row("attention.csv", "0,0,1,16,");
        var expected = 32 * perLayer + Dense("embedding") + Dense("final_layernorm") + Row("per_sequence.csv", "lm_head,1,") + Row("per_sequence.csv", "sampler,1,");
        Assert.Equal(expected, Model.EngineSeconds(new BatchShape().WithDecode(16)), 12);
        // The MLP is most of a dense layer's time: without it the step would be under half as long.
        Assert.True(32 * (Dense("gate_up_proj") + Dense("down_proj")) > 0.5 * expected);
    }

    [Fact]
    public void Several_prefill_chunks_are_priced_per_chunk_with_one_launch()
    {
        var batch = new BatchShape().WithPrefill(512, 0).WithPrefill(256, 0) with { PrefillChunks = [new(512, 0), new(256, 0)] };
        // The largest chunk as measured, the other's own time less the fixed launch (the 16-token chunk's time).
        var expected = Row("attention.csv", "512,0,0,0,") + Row("attention.csv", "256,0,0,0,") - Row("attention.csv", "16,0,0,0,");
        Assert.Equal(expected, Model.Attention(batch), 12);
        // One chunk of the combined length would cost more: attention is quadratic in the chunk.
        Assert.True(Model.Attention(768, 0, 0, 0) > expected);
    }

    [Fact]
    public void Uneven_decode_kv_gets_the_profiles_skew_correction()
    {
        // Three decodes at KV 100, 100 and 1,900: mean 700, skew rate (700 − 100) / 1,800 = 0.33 → bucket sr<=40%,
        // n<=4, kvB<=4k, kp=0 at prefill chunk 0; skew_fit.csv row "0,n<=4,sr<=40%,kvB<=4k,kp=0" holds α = 0.0034.
        var batch = new BatchShape().WithDecode(100).WithDecode(100).WithDecode(1900) with { DecodeContextMax = 1900, DecodeContextMin = 100 };
        var mean = Model.Attention(0, 0, 3, 700);
        var max = Model.Attention(0, 0, 3, 1900);
        Assert.True(max > mean);
        Assert.Equal(mean + 0.0034 * (max - mean), Model.Attention(batch), 12);
    }

    [Fact]
    public void An_unmeasured_bucket_takes_the_default_alpha()
    {
        // Prefill chunk 100 is not a profiled grid point, so the bucket key misses and meta.yaml's per_tp.1.alpha_default 0.0543 applies.
        var batch = new BatchShape().WithPrefill(100, 0).WithDecode(100).WithDecode(1900) with { DecodeContextMax = 1900, DecodeContextMin = 100 };
        var mean = Model.Attention(100, 0, 2, 1000);
        var max = Model.Attention(100, 0, 2, 1900);
        Assert.Equal(mean + 0.0543 * (max - mean), Model.Attention(batch), 12);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 1)]
    [InlineData(128, 6)]
    [InlineData(129, 7)]
    [InlineData(5000, 8)]
    public void Buckets_include_their_upper_edge(int value, int bucket) =>
        Assert.Equal(bucket, SkewFit.Bucket([0, 2, 4, 8, 16, 32, 64, 128, 256, 1_000_000], value));

    [Fact]
    public void A_dense_model_on_a_moe_profile_is_told_the_mlp_is_missing()
    {
        var e = Assert.Throws<ProfileException>(() => new ProfileStepCost(DataFolder.Path("profiles", "rtxpro6000-qwen3-30b-a3b"), ModelPresets.Llama31_8B));
        Assert.Contains("no rows for 'gate_up_proj'", e.Message);
    }

    [Fact]
    public void A_moe_model_without_moe_csv_is_told_which_profile_has_it()
    {
        var e = Assert.Throws<ProfileException>(() => new ProfileStepCost(DataFolder.Path("profiles", "rtxpro6000-qwen3-30b-a3b-tp2"), ModelPresets.Qwen3_30B_A3B, 2, new LinkSpec("test", 1e9, 0)));
        Assert.Contains("moe.csv is missing", e.Message);
    }

    [Fact]
    public void Tensor_parallel_adds_vllms_collectives_over_the_link()
    {
        var dir = DataFolder.Path("profiles", "rtxpro6000-qwen3-32b-tp2");
        var free = new ProfileStepCost(dir, ModelPresets.Qwen3_32B, 2, new LinkSpec("free", double.PositiveInfinity, 0));
        var link = new ProfileStepCost(dir, ModelPresets.Qwen3_32B, 2, new LinkSpec("test", 10e9, 20e-6));
        var batch = new BatchShape().WithDecode(500).WithDecode(500);
        // All-reduce of 2 tokens × 5,120 × 2 bytes = 20,480 bytes over 2 GPUs: 20 µs + 20,480 B / 10 GB/s = 22.048 µs,
        // 2 per layer × 64 layers + 1 after the embedding = 129; the logits gather: 2 × 151,936 × 2 bytes, half of it
        // received: 20 µs + 303,872 B / 10 GB/s = 50.3872 µs.
        Assert.Equal(129 * 22.048e-6 + 50.3872e-6, link.EngineSeconds(batch) - free.EngineSeconds(batch), 12);
    }

    [Fact]
    public void A_dense_model_runs_end_to_end()
    {
        var cluster = new ClusterConfig
        {
            Name = "llama", Gpu = GpuPresets.RtxPro6000, Model = ModelPresets.Llama31_8B,
            StepModel = new StepModelChoice("profile", Profile), Engine = new EngineKnobs { MaxNumSeqs = 128 },
        };
        var requests = Enumerable.Range(0, 40).Select(i => new RequestSpec(i * 0.1, 500 + 10 * i, 50)).ToArray();
        var cost = StepCostModels.Create(cluster);
        var summary = new ClusterSimulator(cluster, cost, requests, new SimulationOptions(0, "dense")).Run();
        Assert.Equal(40, summary.Serving.Completed);
        Assert.Equal(0, summary.AllToAllGigabytes);
        // One 500-token prefill and 49 decodes at a few tens of ms: a TPOT of the order the real run measured (32 ms at load).
        Assert.InRange(summary.Serving.TpotMs.Mean, 5, 40);
    }
}
