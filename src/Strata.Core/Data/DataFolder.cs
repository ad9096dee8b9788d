namespace Strata.Core.Data;

/// <summary>
/// The real data Strata ships (traces, kernel profiles, recorded vLLM runs, expert-routing counts, EPLB reference
/// cases): the repository's <c>data/</c> folder, or the <c>data/</c> folder published beside the <c>strata</c>
/// executable. Found from where the program runs, never from the working directory, so a built-in preset reads the
/// same files wherever it is started.
/// </summary>
public static class DataFolder
{
    private static readonly Lazy<string?> Found = new(Locate);

    /// <summary>The data folder, or a <see cref="DataNotFoundException"/> that says where it looked.</summary>
    public static string Root => Found.Value ?? throw new DataNotFoundException(
        $"Strata's data folder was not found beside {AppContext.BaseDirectory} or above it; it ships in the repository as data/ " +
        "(run strata from a clone, or publish it with `dotnet publish src/Strata.Cli`, which copies data/ beside the executable).");

    /// <summary>
    /// A file or folder inside the data folder, e.g. <c>Path("profiles", "rtxpro6000-qwen3-30b-a3b")</c>; a missing one
    /// is a <see cref="DataNotFoundException"/> naming the path.
    /// </summary>
    public static string Path(params string[] parts)
    {
        var path = System.IO.Path.Combine([Root, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new DataNotFoundException($"{path} is missing from Strata's data folder; restore it with `git checkout -- data` in the repository.");
        return path;
    }

    private static string? Locate()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = System.IO.Path.Combine(folder.FullName, "data");
            if (File.Exists(System.IO.Path.Combine(candidate, "README.md"))) return candidate;
        }
        return null;
    }
}
