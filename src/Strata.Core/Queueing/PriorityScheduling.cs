namespace Strata.Core.Queueing;

/// <summary>
/// <c>priority</c>: vLLM's <c>--scheduling-policy priority</c> — a heap by (priority, arrival):
/// lower value first, earlier arrival on ties. A preempted request is pushed back into the same
/// heap under its own key (vLLM's "prepend" is a push), so it resumes before everything of lower
/// urgency and after anything more urgent (<c>vllm/v1/core/sched/request_queue.py</c> @ 0097c7ed).
/// </summary>
public sealed class PriorityScheduling : IQueuePolicy
{
    public const string PolicyName = "priority";

    public string Name => PolicyName;

    public IWaitingQueue<T> CreateQueue<T>() where T : notnull =>
        new KeyedWaitingQueue<T, (int, double, long)>(e => (e.Priority, e.ArrivalTime, e.Id), Comparer<(int, double, long)>.Default, preemptedFirst: false);
}
