using Strata.Engine;
namespace Strata.Simulation.Workloads.Traces;

/// <summary>
/// Reads a trace file in whichever supported format it is: the extension says CSV or JSONL, the
/// header or first line's fields say which one.
/// </summary>
internal static class TraceReader
{
    public static List<RequestSpec> Read(string path)
    {
        var file = Path.GetFileName(path);
        var first = File.ReadLines(path).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l))
            ?? throw new WorkloadException($"{file} is empty; it must hold one request per line.");
        var json = Path.GetExtension(path) switch
        {
            ".jsonl" or ".json" or ".ndjson" => true,
            ".csv" => false,
            _ => first.TrimStart().StartsWith('{'),
        };
        return json ? ReadJsonl(path, file, first) : ReadCsv(path, file, first);
    }

    private static List<RequestSpec> ReadJsonl(string path, string file, string first)
    {
        var number = File.ReadLines(path).TakeWhile(l => string.IsNullOrWhiteSpace(l)).Count() + 1;
        using var document = JsonTraceFields.Parse(first, new TraceLine(file, number), out var fields);
        if (fields.Has("input_length")) return MooncakeTraceReader.Read(path);
        if (fields.Has("input_toks")) return LlmServingSimTraceReader.Read(path);
        if (fields.Has("prompt_tokens")) return NativeTraceReader.Read(path);
        throw new WorkloadException($"{file} line {number}: not a known JSONL trace; expected 'prompt_tokens' (Strata), 'input_length' (Mooncake) or 'input_toks' (LLMServingSim).");
    }

    private static List<RequestSpec> ReadCsv(string path, string file, string header)
    {
        var columns = header.Split(',').Select(c => c.Trim()).ToHashSet(StringComparer.Ordinal);
        if (columns.Contains("ContextTokens")) return AzureTraceReader.Read(path);
        if (columns.Contains("Request tokens")) return BurstGptTraceReader.Read(path);
        throw new WorkloadException($"{file} line 1: not a known CSV trace; expected an Azure header (TIMESTAMP,ContextTokens,GeneratedTokens) or a BurstGPT one (Timestamp, Request tokens, Response tokens).");
    }
}
