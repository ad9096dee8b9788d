using System.Net;
using System.Text;

namespace Strata.Experiments.Reports;

/// <summary>Renders a <see cref="ReportDocument"/>: Markdown linking the chart files, or one HTML file with the charts inline.</summary>
public static class ReportRenderers
{
    public static string Markdown(ReportDocument document)
    {
        var text = new StringBuilder();
        foreach (var block in document.Blocks)
        {
            text.Append(block switch
            {
                ReportBlock.Heading h => $"{new string('#', h.Level)} {h.Text}",
                ReportBlock.Paragraph p => p.Text,
                ReportBlock.Code c => $"```bash\n{c.Text}\n```",
                ReportBlock.Table t => (t.Content.Title.Length > 0 ? $"**{t.Content.Title}**\n\n" : "") + t.Content.ToMarkdown(),
                ReportBlock.Chart c => $"![{c.Title}](charts/{c.FileName})",
                _ => throw new InvalidOperationException(block.GetType().Name),
            });
            text.Append("\n\n");
        }
        return text.ToString();
    }

    public static string Html(ReportDocument document, string title)
    {
        var html = new StringBuilder();
        html.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Encode(title)}</title><style>{Style}</style></head><body>\n");
        foreach (var block in document.Blocks)
        {
            html.Append(block switch
            {
                ReportBlock.Heading h => $"<h{h.Level}>{Encode(h.Text)}</h{h.Level}>",
                ReportBlock.Paragraph p => $"<p>{Encode(p.Text)}</p>",
                ReportBlock.Code c => $"<pre><code>{Encode(c.Text)}</code></pre>",
                ReportBlock.Table t => Table(t.Content),
                ReportBlock.Chart c => $"<figure>{c.Svg}<figcaption>{Encode(c.Title)}</figcaption></figure>",
                _ => throw new InvalidOperationException(block.GetType().Name),
            });
            html.Append('\n');
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static string Table(TextTable table)
    {
        var html = new StringBuilder("<table>");
        if (table.Title.Length > 0) html.Append($"<caption>{Encode(table.Title)}</caption>");
        html.Append("<thead><tr>").AppendJoin("", table.Headers.Select(h => $"<th>{Encode(h)}</th>")).Append("</tr></thead><tbody>");
        foreach (var row in table.Rows)
            html.Append("<tr>").AppendJoin("", row.Select((cell, i) => i == 0 ? $"<th>{Encode(cell)}</th>" : Cell(cell))).Append("</tr>");
        return html.Append("</tbody></table>").ToString();
    }

    private static string Cell(string text) =>
        text.EndsWith(ReductionTables.Best, StringComparison.Ordinal) ? $"<td class=\"best\">{Encode(text)}</td>" : $"<td>{Encode(text)}</td>";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}" +
        "table{border-collapse:collapse;margin:1em 0;font-size:14px}caption{font-weight:600;text-align:left;padding:4px 0}" +
        "th,td{border:1px solid #ccc;padding:3px 8px}td{text-align:right;font-variant-numeric:tabular-nums}td.best{background:#e3f4e3;font-weight:600}" +
        "figure{margin:1em 0}figcaption{font-size:13px;color:#555}pre{background:#f5f5f5;padding:8px;overflow-x:auto}";
}
