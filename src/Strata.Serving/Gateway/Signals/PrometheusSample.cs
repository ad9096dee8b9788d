namespace Strata.Serving.Gateway.Signals;

/// <summary>One line of the Prometheus text format: a metric name, its labels and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.GetValueOrDefault(name);
}
