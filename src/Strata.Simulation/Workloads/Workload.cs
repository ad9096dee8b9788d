using Strata.Engine;
namespace Strata.Simulation.Workloads;

/// <summary>A workload ready to simulate: its requests in arrival order, and a few numbers about it.</summary>
public sealed class Workload
{
    public Workload(string name, IEnumerable<RequestSpec> requests)
    {
        Name = name;
        // OrderBy is stable, so requests arriving together keep the trace's or generator's order.
        Requests = requests.OrderBy(r => r.ArrivalTime).ToArray();
        if (Requests.Count == 0) throw new WorkloadException($"Workload '{name}' has no requests; give a non-empty trace.");
        Duration = Requests[^1].ArrivalTime;
        MeanPromptTokens = Requests.Average(r => (double)r.PromptTokens);
        MeanOutputTokens = Requests.Average(r => (double)r.OutputTokens);
    }

    public string Name { get; }

    public IReadOnlyList<RequestSpec> Requests { get; }

    public int Count => Requests.Count;

    /// <summary>Seconds from the start of the run to the last arrival.</summary>
    public double Duration { get; }

    public double MeanPromptTokens { get; }

    public double MeanOutputTokens { get; }

    public override string ToString() =>
        $"{Name}: {Count} requests over {Duration:F1} s, mean prompt {MeanPromptTokens:F0} tokens, mean output {MeanOutputTokens:F0} tokens";
}
