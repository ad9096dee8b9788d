using System.Globalization;

namespace Strata.Simulation.Metrics;

/// <summary>Goodput SLOs in milliseconds, as <c>vllm bench serve --goodput ttft:MS tpot:MS e2el:MS</c>.</summary>
public sealed record ServiceLevelObjectives(double? TtftMs, double? TpotMs, double? E2elMs)
{
    public static ServiceLevelObjectives None { get; } = new(null, null, null);

    public bool IsEmpty => TtftMs is null && TpotMs is null && E2elMs is null;

    public bool Met(in RequestRecord r) =>
        (TtftMs is not { } ttft || r.Ttft * 1000 <= ttft) &&
        (TpotMs is not { } tpot || r.Tpot * 1000 <= tpot) &&
        (E2elMs is not { } e2el || r.E2el * 1000 <= e2el);

    /// <summary>Parses <c>ttft:500,tpot:50</c> (commas or spaces between pairs).</summary>
    public static ServiceLevelObjectives Parse(string text)
    {
        double? ttft = null, tpot = null, e2el = null;
        foreach (var pair in text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(':');
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
                throw new FormatException($"--slo: '{pair}' is not METRIC:MS with a positive number of milliseconds; write e.g. ttft:500,tpot:50.");
            switch (parts[0].Trim().ToLowerInvariant())
            {
                case "ttft": ttft = ms; break;
                case "tpot": tpot = ms; break;
                case "e2el": e2el = ms; break;
                default: throw new FormatException($"--slo: unknown metric '{parts[0]}'; use ttft, tpot or e2el.");
            }
        }
        return new ServiceLevelObjectives(ttft, tpot, e2el);
    }
}
