using System.Globalization;
using System.Text;

namespace Strata.Serving.Gateway.Signals;

/// <summary>
/// A parser for the Prometheus text exposition format 0.0.4 (what vLLM's and SGLang's
/// <c>prometheus_client</c> and prometheus-net write): <c># HELP</c>/<c># TYPE</c> comments are
/// skipped, each sample line is <c>name{label="value",...} value [timestamp]</c>, label values
/// use the escapes \\, \" and \n, and values may be NaN, +Inf or -Inf. The gateway reads a few
/// gauges out of a few kilobytes every 50 ms, so a small hand parser beats a dependency.
/// </summary>
public static class PrometheusText
{
    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var lineNumber = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '#') continue;
            samples.Add(ParseSample(line, lineNumber));
        }
        return samples;
    }

    private static PrometheusSample ParseSample(ReadOnlySpan<char> line, int lineNumber)
    {
        var nameEnd = 0;
        while (nameEnd < line.Length && IsNameChar(line[nameEnd], nameEnd == 0)) nameEnd++;
        if (nameEnd == 0) throw Bad(lineNumber, "expected a metric name");
        var name = line[..nameEnd].ToString();
        var rest = line[nameEnd..];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!rest.IsEmpty && rest[0] == '{') rest = ParseLabels(rest[1..], labels, lineNumber);
        rest = rest.TrimStart();
        var valueEnd = rest.IndexOfAny(' ', '\t');
        var valueText = valueEnd < 0 ? rest : rest[..valueEnd];
        if (!TryParseValue(valueText, out var value)) throw Bad(lineNumber, $"'{valueText}' is not a sample value");
        return new PrometheusSample(name, labels, value);
    }

    private static ReadOnlySpan<char> ParseLabels(ReadOnlySpan<char> rest, Dictionary<string, string> labels, int lineNumber)
    {
        var value = new StringBuilder();
        while (true)
        {
            rest = rest.TrimStart();
            if (rest.IsEmpty) throw Bad(lineNumber, "unterminated label set");
            if (rest[0] == '}') return rest[1..];
            var eq = rest.IndexOf('=');
            var labelName = eq > 0 ? rest[..eq].Trim().ToString() : "";
            rest = eq > 0 ? rest[(eq + 1)..].TrimStart() : [];
            if (labelName.Length == 0 || rest.IsEmpty || rest[0] != '"') throw Bad(lineNumber, "expected label=\"value\"");
            rest = rest[1..];
            value.Clear();
            var i = 0;
            for (; i < rest.Length && rest[i] != '"'; i++)
            {
                if (rest[i] != '\\' || i + 1 == rest.Length) { value.Append(rest[i]); continue; }
                i++;
                value.Append(rest[i] switch { 'n' => '\n', var c => c });
            }
            if (i == rest.Length) throw Bad(lineNumber, $"unterminated value of label '{labelName}'");
            labels[labelName] = value.ToString();
            rest = rest[(i + 1)..].TrimStart();
            if (!rest.IsEmpty && rest[0] == ',') rest = rest[1..];
        }
    }

    private static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        switch (text)
        {
            case "NaN": value = double.NaN; return true;
            case "+Inf" or "Inf": value = double.PositiveInfinity; return true;
            case "-Inf": value = double.NegativeInfinity; return true;
            default: return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    // Metric names may hold colons (vllm:num_requests_running); digits never start one.
    private static bool IsNameChar(char c, bool first) =>
        char.IsAsciiLetter(c) || c is '_' or ':' || (!first && char.IsAsciiDigit(c));

    private static FormatException Bad(int line, string what) => new($"Prometheus text line {line}: {what}.");
}
