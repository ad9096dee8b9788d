namespace Strata.Cli.Commands;

/// <summary>Finds the team's traces (<c>shared/data/traces</c>) in the working directory or any folder above it.</summary>
internal static class TracesFolder
{
    public static string? Find()
    {
        for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", "data", "traces");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
