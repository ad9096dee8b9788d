using System.Text.Json;
using System.Text.Json.Nodes;
using Strata.Core.Experts;

namespace Strata.Simulation.Experts;

/// <summary>
/// Expert load and placement files. Loads: a JSON array <c>[layers][experts]</c> or per source
/// <c>[layers][sources][experts]</c>, or an object <c>{"loads": …, "transitions": [layers−1][experts][experts],
/// "classes": [layers][classes][experts]}</c> (transitions and per-class loads optional).
/// Placements: DeepSeek EPLB's <c>{"phy2log", "log2phy", "logcnt"}</c>, or SGLang's
/// <c>--init-expert-location</c> form <c>{"physical_to_logical_map": [[…]]}</c>.
/// </summary>
public static class ExpertFiles
{
    public static ExpertLoad ReadLoads(string path)
    {
        var root = Parse(path, "--loads");
        var loads = root is JsonObject obj ? obj["loads"] ?? throw Bad(path, "an object needs a \"loads\" array") : root;
        var transitions = root is JsonObject withTransitions && withTransitions["transitions"] is { } t ? Cube(t, path, "transitions") : null;
        var classes = root is JsonObject withClasses && withClasses["classes"] is { } c ? Cube(c, path, "classes") : null;
        if (loads is not JsonArray layers || layers.Count == 0) throw Bad(path, "\"loads\" must be a non-empty array [layers][experts] or [layers][sources][experts]");
        try
        {
            return layers[0] is JsonArray first && first.Count > 0 && first[0] is JsonArray
                ? ExpertLoad.FromSources(Cube(loads, path, "loads"), transitions, classes)
                : new ExpertLoad(Matrix(loads, path, "loads"), transitions: transitions, perClass: classes);
        }
        catch (ArgumentException e)
        {
            throw Bad(path, e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", ""));
        }
    }

    public static ExpertPlacement ReadPlacement(string path, int ranks, int logicalExperts)
    {
        var root = Parse(path, "--current");
        var map = root["phy2log"] ?? root["physical_to_logical_map"] ?? throw Bad(path, "a placement needs \"phy2log\" or \"physical_to_logical_map\"");
        var phy2log = Matrix(map, path, "phy2log").Select(row => row.Select(v => (int)v).ToArray()).ToArray();
        try
        {
            return new ExpertPlacement(phy2log, logicalExperts, ranks);
        }
        catch (ArgumentException e)
        {
            throw Bad(path, e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", ""));
        }
    }

    public static void WritePlacement(ExpertPlacement placement, string path, string format)
    {
        var phy2log = Enumerable.Range(0, placement.Layers).Select(l => placement.PhysicalToLogical(l).ToArray()).ToArray();
        object document = format switch
        {
            "sglang" => new Dictionary<string, object> { ["physical_to_logical_map"] = phy2log },
            "strata" => new Dictionary<string, object>
            {
                ["phy2log"] = phy2log,
                ["log2phy"] = Enumerable.Range(0, placement.Layers).Select(placement.LogicalToPhysicalByReplicaRank).ToArray(),
                ["logcnt"] = Enumerable.Range(0, placement.Layers).Select(l => placement.ReplicaCount(l).ToArray()).ToArray(),
            },
            _ => throw new ExpertFileException($"--format: unknown format '{format}'; use strata or sglang."),
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, JsonSerializer.Serialize(document));
    }

    private static JsonNode Parse(string path, string option)
    {
        if (!File.Exists(path)) throw new ExpertFileException($"{option}: no file at {path}.");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) ?? throw Bad(path, "the file is empty");
        }
        catch (JsonException e)
        {
            throw Bad(path, $"not valid JSON ({e.Message})");
        }
    }

    private static double[][] Matrix(JsonNode node, string path, string field) =>
        node is JsonArray rows
            ? rows.Select((row, i) => row is JsonArray cells
                ? cells.Select((cell, j) => Number(cell, path, $"{field}[{i}][{j}]")).ToArray()
                : throw Bad(path, $"{field}[{i}] is not an array")).ToArray()
            : throw Bad(path, $"{field} is not an array");

    private static double[][][] Cube(JsonNode node, string path, string field) =>
        node is JsonArray layers
            ? layers.Select((layer, i) => Matrix(layer ?? throw Bad(path, $"{field}[{i}] is null"), path, $"{field}[{i}]")).ToArray()
            : throw Bad(path, $"{field} is not an array");

    private static double Number(JsonNode? cell, string path, string field) =>
        cell is JsonValue value && value.TryGetValue<double>(out var number) ? number : throw Bad(path, $"{field} is not a number");

    private static ExpertFileException Bad(string path, string what) => new($"{Path.GetFileName(path)}: {what}.");
}

/// <summary>An expert load or placement file that cannot be used; the message names the file and the field.</summary>
public sealed class ExpertFileException(string message) : Exception(message);
