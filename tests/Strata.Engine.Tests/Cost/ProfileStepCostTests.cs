using Strata.Core.Data;
using System.Globalization;
using Strata.Engine.Cost;
using Strata.Engine.Hardware;

namespace Strata.Engine.Tests.Cost;

public class ProfileStepCostTests
{
    private static readonly string Profile = DataFolder.Path("profiles", "rtxpro6000-qwen3-30b-a3b");
    private static readonly ProfileStepCost Model = new(Profile, ModelPresets.Qwen3_30B_A3B);

    private static IEnumerable<double[]> Csv(string file) => File.ReadLines(Path.Combine(Profile, file)).Skip(1)
        .Select(line => line.Split(',').Select(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray());

    [Fact]
    public void Reproduces_every_moe_grid_point()
    {
        foreach (var row in Csv("moe.csv"))
            Assert.Equal(row[2] * 1e-6, Model.MoeLayerSeconds(row[0] * 8, row[1]), 12);
    }

    [Fact]
    public void Reproduces_every_attention_point()
    {
        var rows = Csv("attention.csv").ToArray();
        Assert.True(rows.Length > 19_000);
        foreach (var row in rows)
            Assert.Equal(row[4] * 1e-6, Model.Attention(row[0], row[1], row[2], row[3]), 12);
    }

    [Fact]
    public void Between_grid_points_attention_lies_between_its_neighbours()
    {
        // Decode-only, 64 sequences: KV 1024 → 127.0 µs and 1152 → 143.1 µs measured.
        var between = Model.Attention(0, 0, 64, 1088);
        Assert.InRange(between, 127.0e-6, 143.1e-6);
        // Past the grid's largest KV (16,384) time grows in proportion.
        Assert.Equal(2 * Model.Attention(0, 0, 64, 16384), Model.Attention(0, 0, 64, 32768), 9);
    }

    [Fact]
    public void A_decode_step_is_the_sum_of_its_layers()
    {
        // Batch 1 decode at 128 tokens of context: 48 × (attention + norms + projections) + lm_head + sampler + embedding + final norm.
        var seconds = Model.EngineSeconds(new BatchShape().WithDecode(128));
        Assert.InRange(seconds, 48 * 30e-6, 48 * 45e-6 + 500e-6);
    }

    [Fact]
    public void A_missing_table_is_named()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var e = Assert.Throws<ProfileException>(() => new ProfileStepCost(dir, ModelPresets.Qwen3_30B_A3B));
        Assert.Contains("moe.csv", e.Message);
    }

    [Fact]
    public void A_malformed_cell_names_file_line_and_column()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        foreach (var file in new[] { "attention.csv", "dense.csv", "per_sequence.csv" })
            File.Copy(Path.Combine(Profile, file), Path.Combine(dir, file));
        File.WriteAllText(Path.Combine(dir, "moe.csv"), "tokens,activated_experts,time_us\n1,8,50\n2,eight,56\n");
        var e = Assert.Throws<ProfileException>(() => new ProfileStepCost(dir, ModelPresets.Qwen3_30B_A3B));
        Assert.Contains("moe.csv line 3: column activated_experts 'eight'", e.Message);
    }
}
