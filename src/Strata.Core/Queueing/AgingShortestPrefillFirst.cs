using System.Diagnostics.CodeAnalysis;
using Strata.Core.Collections;

namespace Strata.Core.Queueing;

/// <summary>
/// <c>sjf-aging</c>: Gimbal P1 Algorithm 2 — shortest prompt first; a request that has waited at
/// least θage (<c>theta_age_s</c>, default 5 s) is promoted ahead of every non-aged one; aged
/// requests go by arrival; ties by arrival, then id (arXiv 2602.21626v1, Algorithm 2; the paper leaves ties open). With
/// <c>uncached: true</c> (<c>sjf-uncached</c>) the key is the prompt minus its prefix-cache hit.
/// Preempted requests resume first, as vLLM's scheduler prepends them.
/// <para>
/// Instead of re-sorting before every step, young requests sit in a heap by key and in a heap by
/// arrival; when the clock passes a request's arrival + θage it moves to the aged heap. Each
/// request is promoted at most once, so a pick costs O(log n) amortised.
/// </para>
/// </summary>
public sealed class AgingShortestPrefillFirst(double thetaAgeSeconds = AgingShortestPrefillFirst.DefaultThetaAgeSeconds, bool uncached = false) : IQueuePolicy
{
    public const string PolicyName = "sjf-aging";
    public const string UncachedPolicyName = "sjf-uncached";
    public const double DefaultThetaAgeSeconds = 5;

    public string Name => uncached ? UncachedPolicyName : PolicyName;

    /// <summary>The uncached key needs each request's prefix-cache hit before it is ordered.</summary>
    public Dispatch.SignalFields Requires => uncached ? Dispatch.SignalFields.CachedTokens : Dispatch.SignalFields.None;

    public IWaitingQueue<T> CreateQueue<T>() where T : notnull => new Queue<T>(thetaAgeSeconds, uncached);

    private sealed class Queue<T>(double thetaAge, bool uncached) : IWaitingQueue<T> where T : notnull
    {
        private readonly PriorityQueue<QueuedItem<T>, (int Tokens, double Arrival, long Id)> _young = new();
        private readonly PriorityQueue<QueuedItem<T>, (double Arrival, long Id)> _byArrival = new();
        private readonly PriorityQueue<QueuedItem<T>, (double Arrival, long Id)> _aged = new();
        private readonly Deque<QueuedItem<T>> _preempted = new();
        private readonly Dictionary<T, QueuedItem<T>> _index = new();

        public int Count => _index.Count;

        public void Add(T item, in QueueEntry entry)
        {
            var queued = new QueuedItem<T>(item, entry);
            _index.Add(item, queued);
            _young.Enqueue(queued, (uncached ? entry.UncachedTokens : entry.PromptTokens, entry.ArrivalTime, entry.Id));
            _byArrival.Enqueue(queued, (entry.ArrivalTime, entry.Id));
        }

        public void AddPreempted(T item, in QueueEntry entry)
        {
            var queued = new QueuedItem<T>(item, entry);
            _index.Add(item, queued);
            _preempted.AddFirst(queued);
        }

        public bool TryPeek(double now, [MaybeNullWhen(false)] out T item)
        {
            var next = Next(now);
            item = next is null ? default : next.Item;
            return next is not null;
        }

        public T Take(double now)
        {
            var next = Next(now) ?? throw new InvalidOperationException("The queue is empty.");
            if (_preempted.Count > 0 && ReferenceEquals(_preempted.PeekFirst(), next)) _preempted.RemoveFirst();
            else if (_aged.Count > 0 && ReferenceEquals(_aged.Peek(), next)) _aged.Dequeue();
            else _young.Dequeue();
            next.Gone = true;
            _index.Remove(next.Item);
            return next.Item;
        }

        public bool Remove(T item)
        {
            if (!_index.Remove(item, out var queued)) return false;
            queued.Gone = true;
            return true;
        }

        private QueuedItem<T>? Next(double now)
        {
            Promote(now);
            while (_preempted.Count > 0 && _preempted.PeekFirst().Gone) _preempted.RemoveFirst();
            if (_preempted.Count > 0) return _preempted.PeekFirst();
            while (_aged.TryPeek(out var aged, out _))
            {
                if (!aged.Gone) return aged;
                _aged.Dequeue();
            }
            while (_young.TryPeek(out var young, out _))
            {
                if (!young.Gone && !young.Aged) return young;
                _young.Dequeue();
            }
            return null;
        }

        /// <summary>Moves every request that has waited θage or more into the aged heap.</summary>
        private void Promote(double now)
        {
            while (_byArrival.TryPeek(out var oldest, out var key) && now - key.Arrival >= thetaAge)
            {
                _byArrival.Dequeue();
                if (oldest.Gone) continue;
                oldest.Aged = true;
                _aged.Enqueue(oldest, key);
            }
        }
    }
}
