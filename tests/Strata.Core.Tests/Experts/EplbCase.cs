using Strata.Core.Data;
using System.Text.Json;
using Strata.Core.Experts;

namespace Strata.Core.Tests.Experts;

/// <summary>One reference run of DeepSeek's <c>eplb.py</c> from <c>data/eplb-cases/</c>.</summary>
public sealed record EplbCase(string Name, ExpertLoad Load, PlacementShape Shape, JsonElement Output, JsonElement? StableOutput)
{
    public static IEnumerable<string> Files()
    {
        return Directory.GetFiles(DataFolder.Path("eplb-cases"), "*.json").Order(StringComparer.Ordinal);
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
