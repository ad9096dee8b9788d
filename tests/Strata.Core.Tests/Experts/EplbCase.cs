using System.Text.Json;
using Strata.Core.Experts;

namespace Strata.Core.Tests.Experts;

/// <summary>One reference run of DeepSeek's <c>eplb.py</c> from <c>../shared/data/eplb-cases/</c>.</summary>
public sealed record EplbCase(string Name, ExpertLoad Load, PlacementShape Shape, JsonElement Output, JsonElement? StableOutput)
{
    public static IEnumerable<string> Files()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Strata.slnx"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException($"no Strata.slnx above {AppContext.BaseDirectory}; run the tests from inside the repository.");
        var cases = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "eplb-cases"));
        if (!Directory.Exists(cases)) throw new InvalidOperationException($"{cases} is missing; the EPLB reference cases live beside the repository.");
        return Directory.GetFiles(cases, "*.json").Order(StringComparer.Ordinal);
    }

    public static EplbCase Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement.Clone();
        var input = root.GetProperty("input");
        var weight = input.GetProperty("weight").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var shape = new PlacementShape(
            ranks: input.GetProperty("num_gpus").GetInt32(),
            physicalSlots: input.GetProperty("num_replicas").GetInt32(),
            nodes: input.GetProperty("num_nodes").GetInt32(),
            expertGroups: input.GetProperty("num_groups").GetInt32());
        JsonElement? stable = root.TryGetProperty("output_stable_sort", out var s) ? s : null;
        return new EplbCase(root.GetProperty("name").GetString()!, new ExpertLoad(weight), shape, root.GetProperty("output"), stable);
    }

    public static int[][] Matrix(JsonElement element) =>
        element.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();

    public static int[][][] Cube(JsonElement element) => element.EnumerateArray().Select(Matrix).ToArray();
}
