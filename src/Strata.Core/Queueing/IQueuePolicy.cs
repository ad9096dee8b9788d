namespace Strata.Core.Queueing;

/// <summary>A request-level policy: creates waiting queues that serve requests in its order.</summary>
public interface IQueuePolicy
{
    string Name { get; }

    /// <summary>The signals this policy cannot order without (<see cref="Dispatch.SignalFields"/>); most need none.</summary>
    Dispatch.SignalFields Requires => Dispatch.SignalFields.None;

    IWaitingQueue<T> CreateQueue<T>() where T : notnull;
}
