namespace Strata.Cli.Tests;

public class ExperimentCommandTests
{
    [Fact]
    public void Compares_the_vllm_baseline_on_every_shape()
    {
        var (exit, output, error) = CliRunner.Run("experiment", "--requests", "40");
        Assert.True(exit == 0, error);
        foreach (var shape in new[] { "random", "central", "descending", "two-end", "average" }) Assert.Contains(shape, output);
        Assert.Contains("vllm-dp", output);
        Assert.Contains("round-robin", output);
    }
}
