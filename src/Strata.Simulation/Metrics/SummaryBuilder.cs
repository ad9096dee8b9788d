using Strata.Simulation.Cluster;
using Strata.Simulation.Engine;

namespace Strata.Simulation.Metrics;

/// <summary>Turns a finished run's records and counters into its summary.</summary>
internal static class SummaryBuilder
{
    private const int TimelinePoints = 200;

    public static SimulationSummary Build(ClusterConfig config, SimulationOptions options, IReadOnlyList<EngineCore> engines,
        IReadOnlyList<EpGroup> groups, IReadOnlyList<Moe.ExpertRebalancer?> rebalancers, MetricsCollector metrics)
    {
        var done = metrics.Records.Where(r => !r.Failed).ToArray();
        var start = metrics.Records.Count == 0 ? 0 : metrics.Records.Min(r => r.Arrival);
        var end = done.Length == 0 ? start : done.Max(r => r.Finish);
        var duration = end - start;
        var input = done.Sum(r => (long)r.PromptTokens);
        var output = done.Sum(r => (long)r.OutputTokens);
        var slo = options.Slo ?? ServiceLevelObjectives.None;
        double Rate(double count) => duration > 0 ? count / duration : 0;

        var scheduled = engines.Select(e => (double)e.ScheduledTokensTotal).ToArray();
        var meanScheduled = scheduled.Average();
        var maxPairs = groups.Sum(g => g.Moe.MaxRankPairs);
        var meanPairs = groups.Sum(g => g.Moe.MeanRankPairs);

        return new SimulationSummary
        {
            Run = new RunDescription(config.Name, options.WorkloadName, options.Seed, config.Queue.Name, config.Dispatch.Name,
                config.Experts.Planner.Name, options.Rate, options.Burstiness),
            Completed = done.Length,
            Failed = metrics.Records.Count - done.Length,
            Duration = duration,
            TotalInputTokens = input,
            TotalOutputTokens = output,
            RequestThroughput = Rate(done.Length),
            RequestGoodput = slo.IsEmpty ? null : Rate(done.Count(r => slo.Met(r))),
            OutputThroughput = Rate(output),
            TotalTokenThroughput = Rate(input + output),
            TtftMs = LatencyStats.Of(done.Select(r => r.Ttft), 1000),
            TpotMs = LatencyStats.Of(done.Select(r => r.Tpot), 1000),
            ItlMs = LatencyStats.Of(metrics.InterTokenLatency, 1000),
            E2elMs = LatencyStats.Of(done.Select(r => r.E2el), 1000),
            Preemptions = engines.Sum(e => e.Preemptions),
            PrefixCacheHitRate = HitRate(engines.Sum(e => e.PrefixHitTokens), engines.Sum(e => e.PrefixQueryTokens)),
            MeanKvUsage = metrics.MeanKvUsage,
            MaxKvUsage = metrics.MaxKvUsage,
            EngineLoadImbalance = meanScheduled > 0 ? scheduled.Max() / meanScheduled : 1,
            MoeBalancedness = meanPairs > 0 ? maxPairs / meanPairs : 1,
            AllToAllGigabytes = groups.Sum(g => g.Moe.AllToAllBytes) / 1e9,
            ExpertRebalances = rebalancers.Sum(r => r?.Rebalances ?? 0),
            ExpertReplicasMoved = rebalancers.Sum(r => r?.ReplicasMoved ?? 0),
            ExpertMigrationStallSeconds = rebalancers.Sum(r => r?.StallSeconds ?? 0),
            Steps = groups.Sum(g => g.Steps),
            Engines = engines.Select(e => new EngineSummary(e.Index, e.Requests, e.ScheduledTokensTotal, e.Preemptions,
                HitRate(e.PrefixHitTokens, e.PrefixQueryTokens),
                done.Where(r => r.Engine == e.Index).Select(r => r.Ttft * 1000).DefaultIfEmpty(0).Average())).ToArray(),
            KvUsageTimeline = Downsample(metrics.KvTimeline),
            MoeBalancednessTimeline = Balancedness(metrics.MoeTimeline),
        };
    }

    private static double HitRate(long hits, long queries) => queries > 0 ? (double)hits / queries : 0;

    /// <summary>Max/mean rank load over each of up to 100 equal slices of the run (slices with no MoE work are skipped).</summary>
    private static IReadOnlyList<(double, double)> Balancedness(IReadOnlyList<(double Time, double MaxRankPairs, double MeanRankPairs)> cumulative)
    {
        const int slices = 100;
        var result = new List<(double, double)>(slices);
        if (cumulative.Count < 2) return result;
        var stride = Math.Max(1, cumulative.Count / slices);
        var previous = cumulative[0];
        for (var i = stride; i < cumulative.Count; i += stride)
        {
            var point = cumulative[i];
            var mean = point.MeanRankPairs - previous.MeanRankPairs;
            if (mean > 0) result.Add((point.Time, (point.MaxRankPairs - previous.MaxRankPairs) / mean));
            previous = point;
        }
        return result;
    }

    private static IReadOnlyList<(double, double)> Downsample(IReadOnlyList<(double Time, double MeanUsage)> timeline)
    {
        if (timeline.Count <= TimelinePoints) return timeline.Select(p => (p.Time, p.MeanUsage)).ToArray();
        var stride = (double)timeline.Count / TimelinePoints;
        return Enumerable.Range(0, TimelinePoints).Select(i => timeline[(int)(i * stride)]).Select(p => (p.Time, p.MeanUsage)).ToArray();
    }
}
