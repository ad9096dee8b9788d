using Strata.Engine;
namespace Strata.Simulation.Workloads.Traces;

/// <summary>The non-blank lines of a JSONL trace, each parsed with its line number.</summary>
internal static class JsonlTrace
{
    public static List<RequestSpec> Read(string path, Func<JsonTraceFields, RequestSpec> toRequest)
    {
        var file = Path.GetFileName(path);
        var requests = new List<RequestSpec>();
        var number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            using var document = JsonTraceFields.Parse(text, new TraceLine(file, number), out var fields);
            requests.Add(toRequest(fields));
        }

        return requests;
    }
}
