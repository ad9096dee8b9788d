using System.Text.Json;
using System.Text.Json.Nodes;

namespace Strata.Cli.Tests;

public class PlanExpertsCommandTests
{
    private static string Case(string name) => Path.GetFullPath(Path.Combine(Root(), "..", "shared", "data", "eplb-cases", name));

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Strata.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Strata.slnx not found.");
    }

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

    [Theory]
    [InlineData("[[1,2,3,4]]", "--gpus 3", "do not divide evenly")]
    [InlineData("[[1,2,3,4]]", "--gpus 2 --slots 2", "cannot hold 4")]
    [InlineData("[[1,2,3,4]]", "--gpus 2 --groups 3", "groups")]
    [InlineData("[[1,-2,3,4]]", "--gpus 2", "negative")]
    [InlineData("[[1,2,3,4],[1,2,3]]", "--gpus 2", "[1]")]
    [InlineData("[[1,2,\"x\",4]]", "--gpus 2", "loads[0][2] is not a number")]
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
