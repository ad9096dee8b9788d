namespace Strata.Simulation.Tests;

/// <summary>Finds ../shared beside the checkout, from wherever the tests run.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Shared(params string[] parts) => Path.GetFullPath(Path.Combine([Root, "..", "shared", .. parts]));

    public static string Profile => Shared("data", "profiles", "rtxpro6000-qwen3-30b-a3b");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Strata.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Strata.slnx not found above the test directory.");
    }
}
