using System.Text.RegularExpressions;
using Strata.Experiments.Stacks;

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
        foreach (var file in new[] { "report.md", "report.html", "charts/reductions.svg", "charts/ablations.svg", "charts/ttft-cdf.svg", "charts/expert-balancedness.svg" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} missing");
        Assert.Equal(5 * PolicyStacks.All.Count, Directory.GetFiles(Path.Combine(folder, "runs"), "*.json").Length);
        Assert.Equal(5 * PolicyStacks.All.Count, Directory.GetFiles(Path.Combine(folder, "runs"), "*.yaml").Length);

        // The headline table: one row per challenger, four signed percentages, one ★ per column at least.
        var headline = output[..output.IndexOf("mean TTFT change per shape", StringComparison.Ordinal)];
        var rows = headline.Split('\n').Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length >= 5 && cells.Skip(1).Where(c => c != "★").Count() == 4 && cells.Skip(1).Where(c => c != "★").All(Percentage.IsMatch))
            .ToDictionary(cells => cells[0], cells => cells.Count(c => c == "★"));
        Assert.True(PolicyStacks.All.Where(s => s != PolicyStacks.Baseline).Select(s => s.Name).Order().SequenceEqual(rows.Keys.Order()), headline);
        Assert.True(rows.Values.Sum() >= 4, headline);

        var html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("<svg", html);
        Assert.DoesNotContain("src=\"charts/", html); // self-contained: charts inline, not linked
    }

    [Theory]
    [InlineData("--grid", "huge", "--grid: unknown grid 'huge'")]
    [InlineData("--stacks", "vllm,nope", "--stacks: unknown stack 'nope'")]
    [InlineData("--jobs", "0", "--jobs: must be at least 1")]
    public void Bad_options_stop_before_any_simulation_with_one_line_naming_the_option(string option, string value, string message)
    {
        var folder = Path.Combine(CliRunner.TempDir(), "never");

        var (exit, _, error) = CliRunner.Run("experiment", option, value, "--out", folder);

        Assert.Equal(StrataCli.UsageError, exit);
        Assert.StartsWith("error: " + message, error);
        Assert.False(Directory.Exists(folder));
    }
}
