using Strata.Engine;
namespace Strata.Simulation.Workloads.Traces;

/// <summary>
/// BurstGPT (HPMLL/BurstGPT) CSV, columns by name since releases differ in order:
/// <c>Timestamp</c> (s), <c>Request tokens</c>, <c>Response tokens</c>, and optional <c>Model</c>
/// (kept as the tenant) and <c>Session ID</c>. Rows with 0 response tokens are failed requests and
/// are skipped, as <c>vllm bench serve</c>'s BurstGPT loader does; unlike it, every model is kept.
/// Arrivals are made relative to the earliest row.
/// </summary>
internal static class BurstGptTraceReader
{
    public static List<RequestSpec> Read(string path)
    {
        var csv = new CsvTrace(path);
        var (time, request, response) = (csv.Column("Timestamp"), csv.Column("Request tokens"), csv.Column("Response tokens"));
        var (model, session) = (csv.OptionalColumn("Model"), csv.OptionalColumn("Session ID"));
        var requests = new List<RequestSpec>();
        foreach (var (line, fields) in csv.Rows())
        {
            var output = line.WholeNumber("Response tokens", fields[response]);
            if (output == 0) continue;
            var spec = line.Request(line.Seconds("Timestamp", fields[time]), "Request tokens", line.WholeNumber("Request tokens", fields[request]), output);
            requests.Add(spec with
            {
                Tenant = model is { } m ? NullIfBlank(fields[m]) : null,
                Session = session is { } s ? NullIfBlank(fields[s]) : null,
            });
        }

        if (requests.Count == 0) return requests;
        var start = requests.Min(r => r.ArrivalTime);
        return requests.Select(r => r with { ArrivalTime = r.ArrivalTime - start }).ToList();
    }

    private static string? NullIfBlank(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
