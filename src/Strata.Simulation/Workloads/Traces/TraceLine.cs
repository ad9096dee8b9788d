using System.Globalization;
using Strata.Engine;

namespace Strata.Simulation.Workloads.Traces;

/// <summary>Where a trace value came from, so every error names the file, the line and the field.</summary>
internal readonly record struct TraceLine(string File, int Number)
{
    public WorkloadException Error(string field, string problem) => new($"{File} line {Number}: {field} {problem}");

    public int WholeNumber(string field, string text) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(field, $"'{text}' is not a whole number");

    public double Seconds(string field, string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Error(field, $"'{text}' is not a number");

    /// <summary>
    /// A request from its token counts: a prompt must have a token to prefill, so ≤ 0 is an error;
    /// an output of 0 (a failed or empty answer in some traces) still costs one decode step, so it
    /// is raised to 1.
    /// </summary>
    public RequestSpec Request(double arrival, string promptField, int prompt, int output)
    {
        if (prompt <= 0) throw Error(promptField, $"{prompt} must be at least 1 token; fix or drop the line");
        return new RequestSpec(arrival, prompt, Math.Max(1, output));
    }
}
