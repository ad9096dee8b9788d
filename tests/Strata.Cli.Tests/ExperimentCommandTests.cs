using System.Text.RegularExpressions;
using Strata.Experiments.Stacks;
using Strata.Core.Data;

namespace Strata.Cli.Tests;

public class ExperimentCommandTests
{
    private static readonly Regex Percentage = new(@"^[+−]?\d+\.\d%$");

    [Fact]
    public void Quick_grid_writes_the_report_and_a_table_of_every_stack_against_the_baseline()
    {
        var folder = CliRunner.TempDir();

        var (exit, output, error) = CliRunner.Run("experiment", "--grid", "quick", "--out", folder, "--jobs", "2");

        Assert.True(exit == 0, error);
        foreach (var file in new[] { "report.md", "report.html", "charts/reductions-1-rtxpro6000-dp2ep2.svg", "charts/reductions-2-gimbal-a100-fitted.svg", "charts/ablations.svg", "charts/ttft-cdf.svg", "charts/expert-balancedness.svg" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} missing");
        // Five shapes on the measured testbed and five on Gimbal P1's, every stack, one seed.
        Assert.Equal(10 * PolicyStacks.All.Count, Directory.GetFiles(Path.Combine(folder, "runs"), "*.json").Length);
        Assert.Equal(10 * PolicyStacks.All.Count, Directory.GetFiles(Path.Combine(folder, "runs"), "*.yaml").Length);

        // The two headline tables, measured testbed first: one row per challenger, four signed percentages, one ★ per column at least.
        var measured = output.IndexOf("the measured testbed: change vs vLLM baseline", StringComparison.Ordinal);
        var p1 = output.IndexOf("Gimbal P1's testbed at the paper's load (fitted preset)", StringComparison.Ordinal);
        Assert.True(measured >= 0 && p1 > measured, output);
        foreach (var table in new[] { output[measured..p1], output[p1..output.IndexOf("mean TTFT change per shape", StringComparison.Ordinal)] })
        {
            var rows = table.Split('\n').Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(cells => cells.Length >= 5 && cells.Skip(1).Where(c => c != "★").Count() == 4 && cells.Skip(1).Where(c => c != "★").All(Percentage.IsMatch))
                .ToDictionary(cells => cells[0], cells => cells.Count(c => c == "★"));
            Assert.True(PolicyStacks.All.Where(s => s != PolicyStacks.Baseline).Select(s => s.Name).Order().SequenceEqual(rows.Keys.Order()), table);
            Assert.True(rows.Values.Sum() >= 4, table);
        }

        var html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("<svg", html);
        Assert.DoesNotContain("src=\"charts/", html); // self-contained: charts inline, not linked
    }

    /// <summary>A stack behind the gateway's admission stage is measured as strata serve would run it; the baseline stays vLLM alone.</summary>
    [Fact]
    public void Stacks_run_behind_the_gateway_stage_when_asked()
    {
        var folder = Path.Combine(CliRunner.TempDir(), "report");

        var (exit, _, error) = CliRunner.Run("experiment", "--grid", "quick", "--stacks", "strata", "--seeds", "1", "--requests", "40", "--gateway", "2", "--out", folder, "--jobs", "2");

        Assert.True(exit == 0, error);
        var report = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("gateway(max_in_flight=2): sjf-continuous", report);
        Assert.Contains("--gateway 2", report);
    }

    [Theory]
    [InlineData("--grid", "huge", "--grid: unknown grid 'huge'")]
    [InlineData("--stacks", "vllm,nope", "--stacks: unknown stack 'nope'")]
    [InlineData("--jobs", "0", "--jobs: must be at least 1")]
    [InlineData("--gateway", "0", "--gateway: the gateway's max_in_flight per engine must be at least 1")]
    [InlineData("--traces", "/nonexistent/traces", "--traces: '/nonexistent/traces' is not a folder")]
    public void Bad_options_stop_before_any_simulation_with_one_line_naming_the_option(string option, string value, string message)
    {
        var folder = Path.Combine(CliRunner.TempDir(), "never");

        var (exit, _, error) = CliRunner.Run("experiment", option, value, "--out", folder);

        Assert.Equal(StrataCli.UsageError, exit);
        Assert.StartsWith("error: " + message, error);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_trace_missing_from_the_traces_folder_is_left_out_and_said_so_on_the_terminal_and_in_the_report()
    {
        var traces = CliRunner.TempDir();
        File.Copy(DataFolder.Path("traces", "azure-llm-2023-conv.csv"), Path.Combine(traces, "azure-llm-2023-conv.csv"));
        var folder = CliRunner.TempDir();

        var (exit, output, error) = CliRunner.Run("experiment", "--stacks", "vllm", "--seeds", "1", "--requests", "10", "--traces", traces, "--out", folder);

        Assert.True(exit == 0, error);
        const string said = "left out: mooncake-conversation.jsonl on gimbal-a100";
        Assert.Contains(said, output);
        Assert.Contains("Left out: mooncake-conversation.jsonl on gimbal-a100", File.ReadAllText(Path.Combine(folder, "report.md")));
        Assert.Contains(Directory.GetFiles(Path.Combine(folder, "runs"), "*.yaml"), f => File.ReadAllText(f).Contains("azure-llm-2023-conv.csv"));
    }
}
