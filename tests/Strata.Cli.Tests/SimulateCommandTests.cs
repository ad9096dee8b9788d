using Strata.Core.Data;
using System.Text.Json;

namespace Strata.Cli.Tests;

public class SimulateCommandTests
{
    /// <summary>The cluster files in examples/ run as the docs say, their data found relative to the file.</summary>
    [Theory]
    [InlineData("dp8-a100.yaml")]
    [InlineData("rtxpro6000-profile.yaml")]
    [InlineData("calibration/a100-single.yaml")]
    [InlineData("calibration/h100-single.yaml")]
    [InlineData("calibration/gimbal-a100-nvlink.yaml")]
    [InlineData("calibration/gimbal-a100-pcie.yaml")]
    public void The_example_cluster_files_simulate(string file)
    {
        var path = Path.Combine(Directory.GetParent(DataFolder.Root)!.FullName, "examples", file);

        var (exit, _, error) = CliRunner.Run("simulate", "--cluster", path, "--workload", "random", "--requests", "20", "--rate", "2");

        Assert.True(exit == 0, error);
    }

    /// <summary>Behind a gateway that lets one request per engine through, requests wait at the gateway instead of in the engines.</summary>
    [Fact]
    public void A_run_behind_the_gateway_stage_queues_at_the_gateway()
    {
        string[] run = ["simulate", "--cluster", "rtxpro6000-dp2ep2", "--workload", "chat", "--requests", "80", "--rate", "3", "--queue", "sjf-aging"];
        var dir = CliRunner.TempDir();

        var (exit, _, error) = CliRunner.Run([.. run, "--summary-json", Path.Combine(dir, "alone.json")]);
        var (gatedExit, _, gatedError) = CliRunner.Run([.. run, "--gateway", "1", "--summary-json", Path.Combine(dir, "gated.json")]);
        var (badExit, _, badError) = CliRunner.Run([.. run, "--gateway", "0"]);

        Assert.True(exit == 0 && gatedExit == 0, error + gatedError);
        double MeanTtft(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, file))).RootElement.GetProperty("mean_ttft_ms").GetDouble();
        Assert.True(MeanTtft("gated.json") > 2 * MeanTtft("alone.json"), "one request per engine at a time must wait far longer");
        Assert.Equal(StrataCli.UsageError, badExit);
        Assert.StartsWith("error: --gateway 0: the gateway's max_in_flight per engine must be at least 1", badError);
    }

    [Fact]
    public void Writes_vllm_bench_summary_json_and_one_csv_row_per_request()
    {
        var dir = CliRunner.TempDir();
        var json = Path.Combine(dir, "summary.json");
        var csv = Path.Combine(dir, "requests.csv");

        var (exit, output, error) = CliRunner.Run("simulate", "--cluster", "gimbal-a100", "--workload", "descending", "--requests", "60",
            "--rate", "2", "--seed", "4", "--slo", "ttft:2000,tpot:100", "--summary-json", json, "--requests-csv", csv);

        Assert.True(exit == 0, error);
        Assert.Contains("Mean TTFT (ms)", output);
        using var summary = JsonDocument.Parse(File.ReadAllText(json));
        var root = summary.RootElement;
        Assert.Equal(60, root.GetProperty("completed").GetInt32());
        foreach (var field in new[] { "duration", "request_throughput", "output_throughput", "mean_ttft_ms", "median_ttft_ms", "p99_ttft_ms",
                     "mean_tpot_ms", "p99_tpot_ms", "mean_itl_ms", "mean_e2el_ms", "request_goodput", "prefix_cache_hit_rate", "moe_balancedness" })
            Assert.True(root.TryGetProperty(field, out _), field);
        Assert.True(root.GetProperty("mean_ttft_ms").GetDouble() > 0);
        Assert.Equal(61, File.ReadAllLines(csv).Length);
    }

    [Fact]
    public void A_trace_file_keeps_its_own_arrival_times_unless_a_rate_is_given()
    {
        var dir = CliRunner.TempDir();
        var trace = CliRunner.WriteFile(dir, "trace.jsonl", string.Join('\n',
            Enumerable.Range(0, 20).Select(i => $$"""{"arrival_s": {{i * 5}}, "prompt_tokens": 500, "output_tokens": 20}""")));
        var json = Path.Combine(dir, "s.json");
        Assert.Equal(0, CliRunner.Run("simulate", "--workload", trace, "--summary-json", json).Exit);
        using var own = JsonDocument.Parse(File.ReadAllText(json));
        Assert.True(own.RootElement.GetProperty("duration").GetDouble() > 95);

        Assert.Equal(0, CliRunner.Run("simulate", "--workload", trace, "--rate", "10", "--summary-json", json).Exit);
        using var fast = JsonDocument.Parse(File.ReadAllText(json));
        Assert.True(fast.RootElement.GetProperty("duration").GetDouble() < 10);
    }

    [Theory]
    [InlineData("--cluster", "no-such-cluster", "--cluster: no preset or file named 'no-such-cluster'")]
    [InlineData("--queue", "lifo", "unknown queue policy 'lifo'")]
    [InlineData("--dispatch", "random-walk", "unknown dispatch policy 'random-walk'")]
    [InlineData("--workload", "missing.jsonl", "neither a preset")]
    [InlineData("--rate", "0", "--rate 0: a request rate must be positive")]
    [InlineData("--burstiness", "-1", "--burstiness -1: must be positive")]
    [InlineData("--slo", "ttft=5", "--slo: 'ttft=5' is not METRIC:MS")]
    public void Bad_input_exits_2_with_one_line_naming_the_problem(string option, string value, string message)
    {
        var (exit, output, error) = CliRunner.Run("simulate", option, value, "--requests", "5");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("Mean TTFT", output);
    }

    [Fact]
    public void Malformed_yaml_names_file_and_line()
    {
        var dir = CliRunner.TempDir();
        var file = CliRunner.WriteFile(dir, "bad.yaml", "gpu: h100\nengine: {max_num_seqs: [oops\n");
        var (exit, _, error) = CliRunner.Run("simulate", "--cluster", file, "--requests", "5");
        Assert.Equal(2, exit);
        Assert.Contains("bad.yaml: malformed YAML at line", error);
    }

    [Fact]
    public void A_model_that_does_not_fit_stops_before_work_with_the_fix()
    {
        var dir = CliRunner.TempDir();
        var file = CliRunner.WriteFile(dir, "tiny.yaml", "gpu: a100-80gb\nmodel: mixtral-8x7b\nparallel: {data: 1, tensor: 1, expert: false}\n");
        var (exit, _, error) = CliRunner.Run("simulate", "--cluster", file, "--requests", "5");
        Assert.Equal(2, exit);
        Assert.Contains("leaves no KV cache", error);
        Assert.Contains("use more GPUs", error);
    }

    [Fact]
    public void Cluster_yaml_runs_gimbal_minlp_with_its_exact_solver_options()
    {
        // Mixtral on EP2: 8 experts x 2 GPUs, small enough for CP-SAT on every layer at every rebalance.
        var dir = CliRunner.TempDir();
        var file = CliRunner.WriteFile(dir, "minlp.yaml",
            "base: gimbal-a100\nmodel: mixtral-8x7b\nexperts: {planner: gimbal-minlp, time_limit_s: 0.5, exact_max_size: 64, step_interval: 300}\n");
        var (exit, output, error) = CliRunner.Run("simulate", "--cluster", file, "--workload", "random", "--requests", "100", "--seed", "1");
        Assert.True(exit == 0, error);
        Assert.Contains("gimbal-minlp", output);
        var rebalances = System.Text.RegularExpressions.Regex.Match(output, @"Expert rebalances / replicas moved / stall \(s\)\s+(\d+)");
        Assert.True(rebalances.Success && int.Parse(rebalances.Groups[1].Value) > 0, output);
    }
}
