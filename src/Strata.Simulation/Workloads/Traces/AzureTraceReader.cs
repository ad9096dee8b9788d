using System.Globalization;
using Strata.Engine;

namespace Strata.Simulation.Workloads.Traces;

/// <summary>
/// Azure LLM inference traces (Azure/AzurePublicDataset, 2023 and 2024):
/// <c>TIMESTAMP,ContextTokens,GeneratedTokens</c>, timestamps as datetimes; arrivals are made
/// relative to the earliest one.
/// </summary>
internal static class AzureTraceReader
{
    public static List<RequestSpec> Read(string path)
    {
        var csv = new CsvTrace(path);
        var (time, context, generated) = (csv.Column("TIMESTAMP"), csv.Column("ContextTokens"), csv.Column("GeneratedTokens"));
        var rows = new List<(DateTime At, RequestSpec Request)>();
        foreach (var (line, fields) in csv.Rows())
        {
            if (!DateTime.TryParse(fields[time].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
                throw line.Error("TIMESTAMP", $"'{fields[time]}' is not a date and time like 2023-11-16 18:15:46.6805900");
            var request = line.Request(0, "ContextTokens", line.WholeNumber("ContextTokens", fields[context]), line.WholeNumber("GeneratedTokens", fields[generated]));
            rows.Add((at, request));
        }

        if (rows.Count == 0) return [];
        var start = rows.Min(r => r.At);
        return rows.Select(r => r.Request with { ArrivalTime = (r.At - start).TotalSeconds }).ToList();
    }
}
