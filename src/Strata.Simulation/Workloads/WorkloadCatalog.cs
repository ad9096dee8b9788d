using Strata.Simulation.Workloads.Traces;

namespace Strata.Simulation.Workloads;

/// <summary>The one way to get a workload: a preset generator or a trace file, validated up front.</summary>
public static class WorkloadCatalog
{
    public const int DefaultRequests = 1000;

    /// <summary>Gimbal's highest rate (arXiv 2602.21626v1, experimental setup: 1.0, 1.2 and 1.4 RPS).</summary>
    public const double DefaultRate = 1.4;

    public const string Chat = "chat";

    public static IReadOnlyList<string> Presets { get; } = [.. PromptLengthShape.All.Select(s => s.Name), Chat];

    /// <summary>
    /// Builds the workload <paramref name="options"/> name. Generated lengths and arrivals use
    /// separate random streams of the seed, so changing only the rate keeps every request's lengths
    /// (Gimbal compares 1.0/1.2/1.4 RPS on the same requests).
    /// </summary>
    public static Workload Open(WorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Requests is <= 0)
            throw new WorkloadException($"--requests {options.Requests} must be at least 1.");
        // Validates --rate and --burstiness even when a trace keeps its own arrivals.
        var arrivals = new ArrivalProcess(options.Rate ?? DefaultRate, options.Burstiness);
        var lengths = new Random(options.Seed);
        var timing = new Random(unchecked(options.Seed * 7919 + 17));
        var name = options.NameOrPath;
        var count = options.Requests ?? DefaultRequests;

        if (PromptLengthShape.All.FirstOrDefault(s => s.Name == name) is { } shape)
            return new Workload(name, ShapedWorkloadGenerator.Generate(shape, arrivals.Times(count, timing), lengths));
        if (name == Chat)
            return new Workload(name, ChatWorkloadGenerator.Generate(count, arrivals.Rate, arrivals.Burstiness, lengths, timing));
        if (!File.Exists(name))
            throw new WorkloadException(
                $"Workload '{name}' is neither a preset ({string.Join(", ", Presets)}) nor an existing trace file (looked for {Path.GetFullPath(name)}); pick a preset or fix the path.");

        var requests = TraceReader.Read(name).OrderBy(r => r.ArrivalTime).Take(options.Requests ?? int.MaxValue).ToList();
        if (options.Rate is not null)
        {
            var times = arrivals.Times(requests.Count, timing);
            requests = requests.Select((r, i) => r with { ArrivalTime = times[i] }).ToList();
        }

        return new Workload(Path.GetFileName(name), requests);
    }
}
