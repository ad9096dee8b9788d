namespace Strata.Simulation.Metrics;

/// <summary>The result of one simulation, with <c>vllm bench serve</c>'s metrics and Strata's own.</summary>
public sealed record SimulationSummary
{
    public required RunDescription Run { get; init; }

    /// <summary><c>vllm bench serve</c>'s metrics, by the same definition <c>strata bench</c> uses.</summary>
    public required ServingMetrics Serving { get; init; }

    public long Preemptions { get; init; }
    public double PrefixCacheHitRate { get; init; }
    public double MeanKvUsage { get; init; }
    public double MaxKvUsage { get; init; }
    /// <summary>Busiest engine's scheduled tokens over the mean engine's.</summary>
    public double EngineLoadImbalance { get; init; }
    /// <summary>Σ busiest EP rank's token-expert pairs over Σ the mean rank's, across layers and steps.</summary>
    public double MoeBalancedness { get; init; }
    public double AllToAllGigabytes { get; init; }
    /// <summary>Expert re-placements, replicas they loaded, and the stall that cost.</summary>
    public int ExpertRebalances { get; init; }
    public long ExpertReplicasMoved { get; init; }
    public double ExpertMigrationStallSeconds { get; init; }
    public long Steps { get; init; }
    public IReadOnlyList<EngineSummary> Engines { get; init; } = [];
    /// <summary>Mean KV usage across engines over time, at most 200 points.</summary>
    public IReadOnlyList<(double Time, double Usage)> KvUsageTimeline { get; init; } = [];

    /// <summary>Expert balancedness (busiest EP rank's token-expert pairs over the mean rank's) across the run, as (time s, ratio).</summary>
    public IReadOnlyList<(double Time, double Ratio)> MoeBalancednessTimeline { get; init; } = [];
}

/// <summary>What produced a run, so every number reruns with one command.</summary>
public sealed record RunDescription(string Cluster, string Workload, int Seed, string Queue, string Dispatch, string Experts, double? Rate, double Burstiness);

public sealed record EngineSummary(int Engine, int Requests, long ScheduledTokens, long Preemptions, double PrefixCacheHitRate, double MeanTtftMs);
