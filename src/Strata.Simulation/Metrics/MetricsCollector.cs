using System.Runtime.CompilerServices;
using Strata.Engine;

namespace Strata.Simulation.Metrics;

/// <summary>Collects per-request records and per-token gaps as engines report them.</summary>
internal sealed class MetricsCollector : IRequestObserver
{
    private readonly List<RequestRecord> _records = [];
    private readonly List<(double Time, double MeanUsage)> _kvTimeline = [];
    private readonly List<(double Time, double MaxRankPairs, double MeanRankPairs)> _moeTimeline = [];
    private double _kvUsageSum;
    private int _kvSamples;

    public LogHistogram InterTokenLatency { get; } = new();
    public IReadOnlyList<RequestRecord> Records => _records;
    public IReadOnlyList<(double Time, double MeanUsage)> KvTimeline => _kvTimeline;
    /// <summary>Cumulative busiest-rank and mean-rank token-expert pairs at each stats tick.</summary>
    public IReadOnlyList<(double Time, double MaxRankPairs, double MeanRankPairs)> MoeTimeline => _moeTimeline;
    public double MeanKvUsage => _kvSamples == 0 ? 0 : _kvUsageSum / _kvSamples;
    public double MaxKvUsage { get; private set; }
    public long OutputTokens { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnToken(SimRequest request, double time)
    {
        OutputTokens++;
        if (double.IsNaN(request.FirstTokenTime)) request.FirstTokenTime = time;
        else InterTokenLatency.Add(time - request.LastTokenTime);
        request.LastTokenTime = time;
    }

    public void OnFinished(SimRequest request, double time)
    {
        request.FinishTime = time;
        _records.Add(Record(request, failed: false));
    }

    /// <summary>A request the cluster could not take (longer than the engines' context), as vLLM's 400.</summary>
    public void OnRejected(SimRequest request) => _records.Add(Record(request, failed: true));

    public void SampleKvUsage(double time, IReadOnlyList<double> usagePerEngine)
    {
        var mean = usagePerEngine.Average();
        _kvUsageSum += mean;
        _kvSamples++;
        MaxKvUsage = Math.Max(MaxKvUsage, usagePerEngine.Max());
        _kvTimeline.Add((time, mean));
    }

    public void SampleMoePairs(double time, double maxRankPairs, double meanRankPairs) =>
        _moeTimeline.Add((time, maxRankPairs, meanRankPairs));

    private static RequestRecord Record(SimRequest r, bool failed) => new(
        r.Id, r.Engine, r.Spec.ArrivalTime, r.QueuedTime, r.PromptTokens, r.OutputTokens, r.CachedPromptTokens,
        r.FirstScheduledTime, r.FirstTokenTime, r.FinishTime, r.Preemptions,
        r.Spec.User, r.Spec.Session, r.Spec.Domain, failed);
}
