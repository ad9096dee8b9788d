using System.Text.Json;
using Strata.Core.Data;

namespace Strata.Cli.Tests;

public class ValidateCommandTests
{
    [Fact]
    public void Prints_real_against_simulated_and_writes_validation_json_and_the_queue_chart()
    {
        var dir = CliRunner.TempDir();

        var (exit, output, error) = CliRunner.Run("validate", "--run", DataFolder.Path("validation", "rtxpro6000-llama-3.1-8b-tp1"), "--out", dir);

        Assert.True(exit == 0, error);
        Assert.Contains("mean_ttft_ms", output);
        Assert.Contains("LLMServingSim error", output);
        Assert.Contains("-4.0%", output); // LLMServingSim's mean TTFT error on this run, from its summary
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "validation.json")));
        foreach (var stat in new[] { "mean", "median", "p90", "p99" })
            foreach (var metric in new[] { "ttft", "tpot", "e2el" })
            {
                var entry = json.RootElement.GetProperty($"{stat}_{metric}_ms");
                var real = entry.GetProperty("real").GetDouble();
                var simulated = entry.GetProperty("simulated").GetDouble();
                Assert.InRange(entry.GetProperty("error").GetDouble() - (simulated - real) / real, -1e-4, 1e-4);
            }
        Assert.Equal(7097.157, json.RootElement.GetProperty("mean_ttft_ms").GetProperty("real").GetDouble(), 3);
        // The run's prompts as token ids, from the dataset its meta.json names by hash: their shared blocks hit the cache.
        Assert.Contains("prompt token ids from", output);
        Assert.Contains("sharegpt-llama-3.1-8b-300-sps10.jsonl", json.RootElement.GetProperty("prompts").GetString());
        Assert.InRange(json.RootElement.GetProperty("simulated_prefix_cache_hit_rate").GetDouble(), 0.07, 0.08);
        Assert.True(json.RootElement.TryGetProperty("mean_queue_ms", out _));
        var svg = File.ReadAllText(Path.Combine(dir, "queues.svg"));
        Assert.Contains("<svg", svg);
        Assert.Contains("waiting (vLLM)", svg);
        var cdf = File.ReadAllText(Path.Combine(dir, "ttft-cdf.svg"));
        Assert.Contains("TTFT distribution", cdf);
        Assert.Contains("Strata", cdf);
    }

    [Fact]
    public void A_missing_run_is_one_line_and_exit_2()
    {
        var (exit, _, error) = CliRunner.Run("validate", "--run", "/nowhere/run");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --run /nowhere/run: no such folder or file", error);
    }

    [Fact]
    public void A_run_folder_without_requests_names_the_file()
    {
        var dir = CliRunner.TempDir();
        File.Copy(Path.Combine(DataFolder.Path("validation", "rtxpro6000-llama-3.1-8b-tp1"), "meta.json"), Path.Combine(dir, "meta.json"));
        var (exit, _, error) = CliRunner.Run("validate", "--run", dir);
        Assert.Equal(2, exit);
        Assert.Contains("requests.jsonl is missing", error);
    }

    [Fact]
    public void A_cluster_of_another_model_than_the_run_served_is_refused()
    {
        var (exit, _, error) = CliRunner.Run("validate", "--run", DataFolder.Path("validation", "rtxpro6000-llama-3.1-8b-tp1"), "--cluster", "gimbal-a100");
        Assert.Equal(2, exit);
        Assert.Contains("its model is qwen3-30b-a3b, but the run served meta-llama/Llama-3.1-8B", error);
    }

    [Fact]
    public void A_bench_result_without_start_times_says_what_it_lacks()
    {
        var file = CliRunner.WriteFile(CliRunner.TempDir(), "bench.json",
            """{"input_lens":[100],"output_lens":[10],"ttfts":[0.05],"itls":[[0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01]]}""");
        var (exit, _, error) = CliRunner.Run("validate", "--run", file, "--cluster", "gimbal-a100");
        Assert.Equal(2, exit);
        Assert.Contains("no 'start_times'", error);
        Assert.Contains("--save-detailed", error);
    }

    [Fact]
    public void A_bench_result_needs_a_cluster_and_replays_on_it()
    {
        var dir = CliRunner.TempDir();
        var n = 20;
        string List(Func<int, string> f) => "[" + string.Join(",", Enumerable.Range(0, n).Select(f)) + "]";
        var file = CliRunner.WriteFile(dir, "bench.json",
            $$"""{"input_lens":{{List(_ => "300")}},"output_lens":{{List(_ => "20")}},"ttfts":{{List(_ => "0.05")}},"start_times":{{List(i => (1000 + 0.2 * i).ToString(System.Globalization.CultureInfo.InvariantCulture))}},"itls":{{List(_ => "[" + string.Join(",", Enumerable.Repeat("0.03", 19)) + "]")}}}""");
        var noCluster = CliRunner.Run("validate", "--run", file);
        Assert.Equal(2, noCluster.Exit);
        Assert.Contains("pass --cluster FILE", noCluster.Err);

        var cluster = CliRunner.WriteFile(dir, "llama.yaml",
            $"gpu: rtxpro6000\nmodel: llama-3.1-8b\nengine: {{max_num_seqs: 128}}\nstep_model: {{kind: profile, dir: {DataFolder.Path("profiles", "rtxpro6000-llama-3.1-8b")}}}\n");
        var (exit, output, error) = CliRunner.Run("validate", "--run", file, "--cluster", cluster);
        Assert.True(exit == 0, error);
        Assert.Contains("mean_tpot_ms", output);
        Assert.Contains("30.0", output); // the bench result's mean TPOT: 19 gaps of 30 ms
    }
}
