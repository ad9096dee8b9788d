using System.Text.Json;

namespace Strata.Simulation.Workloads.Traces;

/// <summary>Typed, line-numbered access to the fields of one JSONL trace line.</summary>
internal readonly struct JsonTraceFields
{
    private readonly JsonElement root;

    private JsonTraceFields(JsonElement root, TraceLine line)
    {
        this.root = root;
        Line = line;
    }

    public TraceLine Line { get; }

    /// <summary>Parses one line; the returned document must be disposed by the caller.</summary>
    public static JsonDocument Parse(string text, TraceLine line, out JsonTraceFields fields)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new WorkloadException($"{line.File} line {line.Number}: not valid JSON ({e.Message}); each line must be one JSON object.");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new WorkloadException($"{line.File} line {line.Number}: expected a JSON object, found {document.RootElement.ValueKind}.");
        }

        fields = new JsonTraceFields(document.RootElement, line);
        return document;
    }

    public bool Has(string field) => root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    public int Int(string field) => AsInt(field, Required(field));

    public int? OptionalInt(string field) => Has(field) ? AsInt(field, root.GetProperty(field)) : null;

    public double Number(string field)
    {
        var value = Required(field);
        return value.ValueKind == JsonValueKind.Number && double.IsFinite(value.GetDouble())
            ? value.GetDouble()
            : throw Line.Error(field, $"{value.GetRawText()} is not a number");
    }

    public string? OptionalText(string field)
    {
        if (!Has(field)) return null;
        var value = root.GetProperty(field);
        // Ids such as users and sessions are often written as numbers.
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => throw Line.Error(field, $"{value.GetRawText()} is not a string"),
        };
    }

    public IReadOnlyList<ulong> Ids(string field)
    {
        if (!Has(field)) return [];
        var value = root.GetProperty(field);
        if (value.ValueKind != JsonValueKind.Array) throw Line.Error(field, $"must be an array of block ids, found {value.ValueKind}");
        var ids = new List<ulong>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetUInt64(out var id))
                throw Line.Error(field, $"item {item.GetRawText()} is not a non-negative whole number");
            ids.Add(id);
        }

        return ids;
    }

    private JsonElement Required(string field) =>
        root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw Line.Error(field, "is missing; every line needs it");

    private int AsInt(string field, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt32(out var whole)) return whole;
            // Python writers emit 812.0 for integers stored as floats.
            if (value.TryGetDouble(out var real) && real == Math.Floor(real) && Math.Abs(real) <= int.MaxValue) return (int)real;
        }

        throw Line.Error(field, $"{value.GetRawText()} is not a whole number");
    }
}
