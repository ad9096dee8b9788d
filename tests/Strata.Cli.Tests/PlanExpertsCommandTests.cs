using Strata.Core.Data;
using System.Text.Json;
using System.Text.Json.Nodes;
using Strata.Core.Experts;
using Strata.Core.Policies;

namespace Strata.Cli.Tests;

public class PlanExpertsCommandTests
{
    private static string Case(string name) => DataFolder.Path("eplb-cases", name);

    private static string LoadsOf(string caseFile)
    {
        var input = JsonNode.Parse(File.ReadAllText(Case(caseFile)))!["input"]!["weight"]!;
        return CliRunner.WriteFile(CliRunner.TempDir(), "loads.json", input.ToJsonString());
    }

    [Fact]
    public void Eplb_writes_deepseeks_reference_placement()
    {
        var loads = LoadsOf("case01_readme_hierarchical.json");
        var output = Path.Combine(CliRunner.TempDir(), "placement.json");

        var (exit, text, error) = CliRunner.Run("plan-experts", "--loads", loads, "--gpus", "8", "--nodes", "2", "--slots", "16", "--groups", "4",
            "--planner", "eplb", "--out", output);

        Assert.True(exit == 0, error);
        Assert.Contains("balancedness", text);
        var expected = JsonNode.Parse(File.ReadAllText(Case("case01_readme_hierarchical.json")))!["output"]!;
        var actual = JsonNode.Parse(File.ReadAllText(output))!;
        foreach (var field in new[] { "phy2log", "log2phy", "logcnt" })
            Assert.Equal(expected[field]!.ToJsonString(), actual[field]!.ToJsonString());
    }

    [Fact]
    public void Sglang_format_and_moves_against_the_current_placement()
    {
        var loads = LoadsOf("case01_readme_hierarchical.json");
        var dir = CliRunner.TempDir();
        var current = Path.Combine(dir, "current.json");
        Assert.Equal(0, CliRunner.Run("plan-experts", "--loads", loads, "--gpus", "8", "--slots", "16", "--planner", "eplb", "--out", current).Exit);
        var output = Path.Combine(dir, "next.json");

        var (exit, text, error) = CliRunner.Run("plan-experts", "--loads", loads, "--gpus", "8", "--slots", "16", "--planner", "balanced",
            "--current", current, "--out", output, "--format", "sglang");

        Assert.True(exit == 0, error);
        using var document = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal(2, document.RootElement.GetProperty("physical_to_logical_map").GetArrayLength());
        Assert.Contains("current", text);
        Assert.DoesNotContain("n/a (no --current)", text);
    }

    [Fact]
    public void Gimbal_minlp_solves_a_small_instance_exactly_and_beats_or_ties_the_local_search()
    {
        // FlashLB's instance: 8 experts x 8 GPUs = 64, above the default exact size of 32, so it is raised.
        // CP-SAT stops as soon as it proves optimality (well under a second here); the generous limit only
        // keeps a heavily loaded machine from turning "proven" into "time-limited".
        var loads = LoadsOf("case11_flashlb_counterexample.json");
        var output = Path.Combine(CliRunner.TempDir(), "placement.json");

        var (exit, text, error) = CliRunner.Run("plan-experts", "--loads", loads, "--gpus", "8", "--slots", "16", "--planner", "gimbal-minlp",
            "--exact-max-size", "64", "--time-limit", "60", "--out", output);

        Assert.True(exit == 0, error);
        Assert.Contains("exact, proven optimal", text);
        Assert.Contains("1 proven optimal (worst local-search gap", text);
        var load = new ExpertLoad(JsonSerializer.Deserialize<double[][]>(File.ReadAllText(loads))!);
        var row = JsonNode.Parse(File.ReadAllText(output))!["phy2log"]![0]!.AsArray().Select(n => (int)n!).ToArray();
        var exact = new ExpertPlacement([row], load.LogicalExperts, ranks: 8);
        var local = ExpertPlanners.Catalog.Create(new PolicyOptions("gimbal-minlp", section: "test")).Plan(load, new PlacementShape(8, 16), null);
        var objective = new MinlpObjective();
        Assert.True(objective.Total(exact, load, null) <= objective.Total(local, load, null) + 1e-12);
        // Load only here, so the optimum is FlashLB's even split: max rank 196.67 over a mean of 181.25.
        Assert.Equal(196.67 / 181.25, objective.Total(exact, load, null), 3);
    }

    [Fact]
    public void Class_balanced_reads_per_class_loads_from_the_file_and_splits_each_class_over_the_gpus()
    {
        // Class A uses experts 0 and 3, class B 1 and 2: balancing the mix alone would pair {0, 3} and {1, 2}.
        var loads = CliRunner.WriteFile(CliRunner.TempDir(), "loads.json",
            """{"loads": [[12, 11, 10, 9]], "classes": [[[12, 0, 0, 9], [0, 11, 10, 0]]]}""");
        var output = Path.Combine(CliRunner.TempDir(), "placement.json");

        var (exit, _, error) = CliRunner.Run("plan-experts", "--loads", loads, "--gpus", "2", "--planner", "class-balanced", "--out", output);

        Assert.True(exit == 0, error);
        var row = JsonNode.Parse(File.ReadAllText(output))!["phy2log"]![0]!.AsArray().Select(n => (int)n!).ToArray();
        int Rank(int expert) => Array.IndexOf(row, expert) / 2;
        Assert.NotEqual(Rank(0), Rank(3));
        Assert.NotEqual(Rank(1), Rank(2));
    }

    [Theory]
    [InlineData("--planner gimbal-minlp --time-limit 0", "--time-limit: '0' is not a number")]
    [InlineData("--planner gimbal-minlp --time-limit soon", "--time-limit")]
    [InlineData("--planner gimbal-minlp --exact-max-size -1", "--exact-max-size: '-1' is not a whole number")]
    [InlineData("--planner eplb --time-limit 3", "'eplb' has no parameter 'time_limit_s'")]
    public void Bad_exact_solver_options_are_one_clear_line_and_exit_2(string options, string message)
    {
        var file = CliRunner.WriteFile(CliRunner.TempDir(), "loads.json", "[[1,2,3,4]]");
        var args = new[] { "plan-experts", "--loads", file, "--gpus", "2", "--out", Path.Combine(CliRunner.TempDir(), "p.json") }.Concat(options.Split(' ')).ToArray();
        var (exit, _, error) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("[[1,2,3,4]]", "--gpus 3", "do not divide evenly")]
    [InlineData("[[1,2,3,4]]", "--gpus 2 --slots 2", "cannot hold 4")]
    [InlineData("[[1,2,3,4]]", "--gpus 2 --groups 3", "groups")]
    [InlineData("[[1,-2,3,4]]", "--gpus 2", "negative")]
    [InlineData("[[1,2,3,4],[1,2,3]]", "--gpus 2", "[1]")]
    [InlineData("[[1,2,\"x\",4]]", "--gpus 2", "loads[0][2] is not a number")]
    [InlineData("{\"loads\": [[1,2,3,4]], \"classes\": [[[1,2,3]]]}", "--gpus 2", "per-class load [0][0] has 3 entries")]
    public void Bad_input_is_one_clear_line_and_exit_2(string loads, string options, string message)
    {
        var file = CliRunner.WriteFile(CliRunner.TempDir(), "loads.json", loads);
        var args = new[] { "plan-experts", "--loads", file, "--out", Path.Combine(CliRunner.TempDir(), "p.json") }.Concat(options.Split(' ')).ToArray();
        var (exit, _, error) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.OrdinalIgnoreCase);
        Assert.Single(error.Trim().Split('\n'));
    }
}
