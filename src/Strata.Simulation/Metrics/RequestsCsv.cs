using System.Globalization;

namespace Strata.Simulation.Metrics;

/// <summary>Per-request results as CSV, one row per request in id order.</summary>
public static class RequestsCsv
{
    public const string Header = "id,engine,arrival_s,prompt_tokens,output_tokens,cached_prompt_tokens,queue_ms,ttft_ms,tpot_ms,e2el_ms,preemptions,failed,user,session,domain";

    public static void Write(IEnumerable<RequestRecord> records, TextWriter writer)
    {
        writer.WriteLine(Header);
        foreach (var r in records.OrderBy(r => r.Id))
        {
            var cells = r.Failed
                ? new[] { "", "", "", "" }
                : new[] { Ms(r.QueueTime), Ms(r.Ttft), Ms(r.Tpot), Ms(r.E2el) };
            writer.WriteLine(string.Join(',',
                r.Id.ToString(CultureInfo.InvariantCulture), r.Engine.ToString(CultureInfo.InvariantCulture),
                r.Arrival.ToString("0.######", CultureInfo.InvariantCulture),
                r.PromptTokens.ToString(CultureInfo.InvariantCulture), r.OutputTokens.ToString(CultureInfo.InvariantCulture),
                r.CachedPromptTokens.ToString(CultureInfo.InvariantCulture), cells[0], cells[1], cells[2], cells[3],
                r.Preemptions.ToString(CultureInfo.InvariantCulture), r.Failed ? "1" : "0",
                Text(r.User), Text(r.Session), Text(r.Domain)));
        }
    }

    private static string Ms(double seconds) => (seconds * 1000).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Text(string? value) =>
        value is null ? "" : value.Contains(',') || value.Contains('"') ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
