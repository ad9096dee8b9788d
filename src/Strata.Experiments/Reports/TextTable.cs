namespace Strata.Experiments.Reports;

/// <summary>A table of already formatted cells, rendered as Markdown here and as a terminal table by the CLI.</summary>
public sealed record TextTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public string ToMarkdown()
    {
        var lines = new List<string>
        {
            $"| {string.Join(" | ", Headers)} |",
            $"|{string.Join("|", Headers.Select((_, i) => i == 0 ? "---" : "---:"))}|",
        };
        lines.AddRange(Rows.Select(row => $"| {string.Join(" | ", row)} |"));
        return string.Join('\n', lines);
    }
}
