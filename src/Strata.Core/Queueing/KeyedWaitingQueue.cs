using System.Diagnostics.CodeAnalysis;
using Strata.Core.Collections;

namespace Strata.Core.Queueing;

/// <summary>
/// The shape every ordered policy shares: a heap of waiting requests by a key computed once at
/// admission, lazy deletion for aborts, and (unless the policy says otherwise) preempted requests
/// served first in the order they were preempted back, as vLLM's FCFS queue prepends them.
/// </summary>
internal sealed class KeyedWaitingQueue<T, TKey>(Func<QueueEntry, TKey> key, IComparer<TKey> order, bool preemptedFirst) : IWaitingQueue<T>
    where T : notnull
{
    private readonly PriorityQueue<QueuedItem<T>, TKey> _heap = new(order);
    private readonly Deque<QueuedItem<T>> _preempted = new();
    private readonly Dictionary<T, QueuedItem<T>> _index = new();

    public int Count => _index.Count;

    public void Add(T item, in QueueEntry entry)
    {
        var queued = new QueuedItem<T>(item, entry);
        _index.Add(item, queued);
        _heap.Enqueue(queued, key(entry));
    }

    public void AddPreempted(T item, in QueueEntry entry)
    {
        if (!preemptedFirst)
        {
            Add(item, entry);
            return;
        }
        var queued = new QueuedItem<T>(item, entry);
        _index.Add(item, queued);
        _preempted.AddFirst(queued);
    }

    public bool TryPeek(double now, [MaybeNullWhen(false)] out T item)
    {
        var next = Next();
        item = next is null ? default : next.Item;
        return next is not null;
    }

    public T Take(double now)
    {
        var next = Next() ?? throw new InvalidOperationException("The queue is empty.");
        if (_preempted.Count > 0 && ReferenceEquals(_preempted.PeekFirst(), next)) _preempted.RemoveFirst();
        else _heap.Dequeue();
        _index.Remove(next.Item);
        return next.Item;
    }

    public bool Remove(T item)
    {
        if (!_index.Remove(item, out var queued)) return false;
        queued.Gone = true;
        return true;
    }

    private QueuedItem<T>? Next()
    {
        while (_preempted.Count > 0 && _preempted.PeekFirst().Gone) _preempted.RemoveFirst();
        if (_preempted.Count > 0) return _preempted.PeekFirst();
        while (_heap.TryPeek(out var top, out _))
        {
            if (!top.Gone) return top;
            _heap.Dequeue();
        }
        return null;
    }
}
