using System.Text.Json;
using Strata.Emulation;
using Strata.Engine.Cluster;

namespace Strata.Cli.Tests;

public sealed class EmulateAndBenchCommandTests
{
    [Theory]
    [InlineData("emulate", "--engines", "0", "--engines 0")]
    [InlineData("emulate", "--time-scale", "0", "--time-scale 0")]
    [InlineData("emulate", "--error-rate", "1.5", "--error-rate 1.5")]
    [InlineData("emulate", "--cluster", "no-such-cluster.yaml", "no-such-cluster")]
    [InlineData("emulate", "--tokenizer", "/nonexistent/tokenizer.json", "--tokenizer: /nonexistent/tokenizer.json does not exist")]
    [InlineData("emulate", "--kv-events-config", "{\"enable_kv_cache_events\": true, \"max_queue_size\": 5}", "--kv-events-config: 'max_queue_size' is not a key the emulator honours")]
    [InlineData("emulate", "--kv-events-config", "not json", "--kv-events-config: not JSON")]
    [InlineData("bench", "--rate", "-1", "--rate -1")]
    [InlineData("bench", "--endpoint", "/v1/embeddings", "--endpoint /v1/embeddings")]
    [InlineData("bench", "--url", "not a url", "--url not a url")]
    [InlineData("bench", "--goodput", "ttft", "--goodput:")]
    public void Bad_input_stops_with_exit_2_and_names_the_option(string command, string option, string value, string expected)
    {
        string[] required = command == "bench" ? ["--model", "m", "--requests", "1"] : [];
        string[] url = command == "bench" && option != "--url" ? ["--url", "http://127.0.0.1:9"] : [];
        var (exit, _, error) = CliRunner.Run([command, option, value, .. required, .. url]);

        Assert.Equal(StrataCli.UsageError, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("--data-parallel-size 2 --enable-expert-parallel", "dense.yaml", "--enable-expert-parallel: llama-3.1-8b is a dense model")]
    [InlineData("--enable-expert-parallel", "gimbal-a100", "--enable-expert-parallel needs --data-parallel-size 2 or more")]
    [InlineData("--data-parallel-size 0", "gimbal-a100", "--data-parallel-size 0")]
    public void A_data_parallel_layout_that_cannot_run_stops_with_exit_2_and_names_the_flag(string flags, string cluster, string expected)
    {
        var dir = CliRunner.TempDir();
        var dense = CliRunner.WriteFile(dir, "dense.yaml", "gpu: a100-80gb\nmodel: llama-3.1-8b\n");
        var (exit, _, error) = CliRunner.Run(["emulate", "--cluster", cluster == "dense.yaml" ? dense : cluster, "--port", "0", .. flags.Split(' ')]);

        Assert.Equal(StrataCli.UsageError, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task Bench_against_an_emulated_engine_prints_vllm_rows_and_saves_the_result()
    {
        await using var emulator = await Emulator.StartAsync(new EmulatorOptions
        {
            Cluster = ClusterPresets.GimbalA100 with { DataParallel = 1 }, Port = 0, TimeScale = 10,
        });
        var dir = CliRunner.TempDir();
        var trace = CliRunner.WriteFile(dir, "tiny.jsonl", string.Join('\n', Enumerable.Range(0, 4).Select(i =>
            $$"""{"arrival_s": {{i * 0.1}}, "prompt_tokens": {{100 + i}}, "output_tokens": 8}""")));
        var json = Path.Combine(dir, "result.json");

        var (exit, output, error) = await Task.Run(() => CliRunner.Run("bench", "--url", emulator.Urls[0].ToString(), "--model", "qwen3-30b-a3b",
            "--workload", trace, "--rate", "inf", "--requests", "4", "--save-result", json));

        Assert.True(exit == 0, error);
        Assert.Contains("Successful requests", output);
        Assert.Contains("Mean TTFT (ms)", output);
        var result = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal(4, result.GetProperty("completed").GetInt32());
        Assert.Equal("inf", result.GetProperty("request_rate").GetString());
        Assert.Equal(4 * 8, result.GetProperty("total_output_tokens").GetInt32());
    }
}
