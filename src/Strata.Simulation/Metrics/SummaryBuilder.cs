using Strata.Engine.Cluster;
using Strata.Engine;
using Strata.Engine.Moe;

namespace Strata.Simulation.Metrics;

/// <summary>Turns a finished run's records and counters into its summary.</summary>
internal static class SummaryBuilder
{
    private const int TimelinePoints = 200;

    public static SimulationSummary Build(ClusterConfig config, SimulationOptions options, IReadOnlyList<EngineCore> engines,
        IReadOnlyList<EpGroup> groups, IReadOnlyList<ExpertRebalancer?> rebalancers, MetricsCollector metrics)
    {
        var done = metrics.Records.Where(r => !r.Failed).ToArray();
        var start = metrics.Records.Count == 0 ? 0 : metrics.Records.Min(r => r.Arrival);
        var end = done.Length == 0 ? start : done.Max(r => r.Finish);
        var serving = ServingMetrics.Of(metrics.Records, end - start, LatencyStats.Of(metrics.InterTokenLatency, 1000),
            options.Slo ?? ServiceLevelObjectives.None);

        var scheduled = engines.Select(e => (double)e.ScheduledTokensTotal).ToArray();
        var meanScheduled = scheduled.Average();
        var maxPairs = groups.Sum(g => g.Moe?.MaxRankPairs ?? 0);
        var meanPairs = groups.Sum(g => g.Moe?.MeanRankPairs ?? 0);

        return new SimulationSummary
        {
            Run = new RunDescription(config.Name, options.WorkloadName, options.Seed, config.Queue.Name, config.Dispatch.Name,
                config.Experts.Planner.Name, options.Rate, options.Burstiness),
            Serving = serving,
            Preemptions = engines.Sum(e => e.Preemptions),
            PrefixCacheHitRate = HitRate(engines.Sum(e => e.PrefixHitTokens), engines.Sum(e => e.PrefixQueryTokens)),
            MeanKvUsage = metrics.MeanKvUsage,
            MaxKvUsage = metrics.MaxKvUsage,
            EngineLoadImbalance = meanScheduled > 0 ? scheduled.Max() / meanScheduled : 1,
            MoeBalancedness = meanPairs > 0 ? maxPairs / meanPairs : 1,
            AllToAllGigabytes = groups.Sum(g => g.Moe?.AllToAllBytes ?? 0) / 1e9,
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

    /// <summary>
    /// Max/mean rank load over each of up to 100 equal slices of the run. Slices with under a tenth
    /// of the median slice's MoE work (the drain at the end, idle gaps) are skipped: a handful of
    /// tokens makes any placement look unbalanced.
    /// </summary>
    private static IReadOnlyList<(double, double)> Balancedness(IReadOnlyList<(double Time, double MaxRankPairs, double MeanRankPairs)> cumulative)
    {
        const int slices = 100;
        if (cumulative.Count < 2) return [];
        var stride = Math.Max(1, cumulative.Count / slices);
        var deltas = new List<(double Time, double Max, double Mean)>(slices);
        for (var i = stride; i < cumulative.Count; i += stride)
        {
            var (point, previous) = (cumulative[i], cumulative[i - stride]);
            deltas.Add((point.Time, point.MaxRankPairs - previous.MaxRankPairs, point.MeanRankPairs - previous.MeanRankPairs));
        }
        var median = deltas.Select(d => d.Mean).Order().ElementAt(deltas.Count / 2);
        return deltas.Where(d => d.Mean > 0 && d.Mean >= 0.1 * median).Select(d => (d.Time, d.Max / d.Mean)).ToArray();
    }

    private static IReadOnlyList<(double, double)> Downsample(IReadOnlyList<(double Time, double MeanUsage)> timeline)
    {
        if (timeline.Count <= TimelinePoints) return timeline.Select(p => (p.Time, p.MeanUsage)).ToArray();
        var stride = (double)timeline.Count / TimelinePoints;
        return Enumerable.Range(0, TimelinePoints).Select(i => timeline[(int)(i * stride)]).Select(p => (p.Time, p.MeanUsage)).ToArray();
    }
}
