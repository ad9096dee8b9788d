namespace Strata.Core.Queueing;

/// <summary>A request-level policy: creates waiting queues that serve requests in its order.</summary>
public interface IQueuePolicy
{
    string Name { get; }

    IWaitingQueue<T> CreateQueue<T>() where T : notnull;
}
