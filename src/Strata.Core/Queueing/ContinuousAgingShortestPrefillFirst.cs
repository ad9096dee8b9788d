namespace Strata.Core.Queueing;

/// <summary>
/// <c>sjf-continuous</c>: shortest uncached prefill first, with a request's key falling by
/// <c>aging_tokens_per_s</c> for every second it waits (SGLang PR #30806's effective length).
/// key(now) = uncached − α·(now − arrival) = (uncached + α·arrival) − α·now, and the last term is
/// the same for everyone, so the order never changes while requests wait: one static heap.
/// Default α = 500 tokens/s: a 5 s wait (Gimbal's θage) is worth 2,500 prompt tokens.
/// Preempted requests resume first.
/// </summary>
public sealed class ContinuousAgingShortestPrefillFirst(double agingTokensPerSecond = ContinuousAgingShortestPrefillFirst.DefaultAgingTokensPerSecond) : IQueuePolicy
{
    public const string PolicyName = "sjf-continuous";
    public const double DefaultAgingTokensPerSecond = 500;

    public string Name => PolicyName;

    public IWaitingQueue<T> CreateQueue<T>() where T : notnull =>
        new KeyedWaitingQueue<T, (double, long)>(e => (e.UncachedTokens + agingTokensPerSecond * e.ArrivalTime, e.Id),
            Comparer<(double, long)>.Default, preemptedFirst: true);
}
