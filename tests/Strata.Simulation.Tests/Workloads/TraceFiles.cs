namespace Strata.Simulation.Tests.Workloads;

/// <summary>The shared data folder beside the repository.</summary>
internal static class TraceFiles
{
    /// <summary>Walks up from the test binaries to the folder holding Strata.slnx, then to ../shared/data/traces.</summary>
    public static string Real(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Strata.slnx"))) directory = directory.Parent;
        if (directory is null) throw new InvalidOperationException("Strata.slnx not found above " + AppContext.BaseDirectory);
        return Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "data", "traces", name));
    }
}
