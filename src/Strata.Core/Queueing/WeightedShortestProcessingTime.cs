namespace Strata.Core.Queueing;

/// <summary>
/// <c>wspt</c>: Smith's rule as Dynamo's router queue uses it — highest
/// (1 + priority_jump) / uncached tokens first (ai-dynamo/dynamo <c>lib/kv-router/src/scheduling/policy_queue.rs</c> @ 0bebf6de).
/// vLLM's priority is lower-is-more-urgent, so priority_jump = −priority (clamped at 0):
/// priority −2 doubles… triples a request's weight, priorities ≥ 0 add nothing. Ties by arrival.
/// Preempted requests resume first.
/// </summary>
public sealed class WeightedShortestProcessingTime : IQueuePolicy
{
    public const string PolicyName = "wspt";

    public string Name => PolicyName;

    public IWaitingQueue<T> CreateQueue<T>() where T : notnull =>
        new KeyedWaitingQueue<T, (double, double, long)>(e => (-(1.0 + Math.Max(0, -e.Priority)) / e.UncachedTokens, e.ArrivalTime, e.Id),
            Comparer<(double, double, long)>.Default, preemptedFirst: true);
}
