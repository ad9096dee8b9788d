namespace Strata.Cli.Tests;

/// <summary>
/// One runtime configuration for every command: no process-wide switch of tiered compilation (the gateway wants
/// tier-1 code with dynamic PGO, and the simulator's hot methods are compiled fully optimised by attribute instead;
/// docs/benchmarks.md "One runtime configuration"), and so no re-exec of <c>strata serve</c> to undo one.
/// </summary>
public sealed class RuntimeConfigurationTests
{
    [Fact]
    public void Strata_leaves_tiered_compilation_to_the_runtime()
    {
        var config = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "strata.runtimeconfig.json"));

        Assert.DoesNotContain("TieredCompilation", config);
        Assert.DoesNotContain("TieredPGO", config);
    }
}
