using System.Diagnostics.CodeAnalysis;
using Strata.Core.Collections;

namespace Strata.Core.Queueing;

/// <summary>
/// <c>fcfs</c>: vLLM's default. Arrivals join the back; preempted requests go back to the
/// front so they resume before anything that arrived after them.
/// </summary>
public sealed class FirstComeFirstServed : IQueuePolicy
{
    public const string PolicyName = "fcfs";

    public string Name => PolicyName;

    public IWaitingQueue<T> CreateQueue<T>() where T : notnull => new Queue<T>();

    private sealed class Queue<T> : IWaitingQueue<T> where T : notnull
    {
        private readonly Deque<T> _items = new();

        public int Count => _items.Count;

        public void Add(T item, in QueueEntry entry) => _items.AddLast(item);

        public void AddPreempted(T item, in QueueEntry entry) => _items.AddFirst(item);

        public bool TryPeek(double now, [MaybeNullWhen(false)] out T item)
        {
            if (_items.Count == 0)
            {
                item = default;
                return false;
            }
            item = _items.PeekFirst();
            return true;
        }

        public T Take(double now) => _items.RemoveFirst();

        public bool Remove(T item) => _items.Remove(item);
    }
}
