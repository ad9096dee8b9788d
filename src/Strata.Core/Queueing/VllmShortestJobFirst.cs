using System.Diagnostics.CodeAnalysis;
using Strata.Core.Collections;

namespace Strata.Core.Queueing;

/// <summary>
/// <c>sjf</c>: vLLM's newer SJF policy — highest score first, where
/// score = 0.5·σ((wait − 5)/5) + 0.5·σ(−(prompt − 32768)/32768), σ(x) = 1/(1+e^−x)
/// (research/routers.md §7.2). vLLM recomputes the score inside heap comparisons, so its heap
/// order can go stale; here the scores are computed once per pick at the pick's time (as
/// TensorRT-LLM's SJF does per scheduling round), which is exact and O(n) per pick.
/// Ties by arrival, then id. Preempted requests resume first.
/// </summary>
public sealed class VllmShortestJobFirst : IQueuePolicy
{
    public const string PolicyName = "sjf";

    public string Name => PolicyName;

    public IWaitingQueue<T> CreateQueue<T>() where T : notnull => new Queue<T>();

    public static double Score(in QueueEntry entry, double now) =>
        0.5 * Sigmoid((now - entry.ArrivalTime - 5) / 5) + 0.5 * Sigmoid(-(entry.PromptTokens - 32768.0) / 32768);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private sealed class Queue<T> : IWaitingQueue<T> where T : notnull
    {
        private readonly List<QueuedItem<T>> _waiting = [];
        private readonly Deque<QueuedItem<T>> _preempted = new();

        public int Count => _waiting.Count + _preempted.Count;

        public void Add(T item, in QueueEntry entry) => _waiting.Add(new QueuedItem<T>(item, entry));

        public void AddPreempted(T item, in QueueEntry entry) => _preempted.AddFirst(new QueuedItem<T>(item, entry));

        public bool TryPeek(double now, [MaybeNullWhen(false)] out T item)
        {
            if (_preempted.Count > 0)
            {
                item = _preempted.PeekFirst().Item;
                return true;
            }
            var best = Best(now);
            item = best < 0 ? default : _waiting[best].Item;
            return best >= 0;
        }

        public T Take(double now)
        {
            if (_preempted.Count > 0) return _preempted.RemoveFirst().Item;
            var best = Best(now);
            if (best < 0) throw new InvalidOperationException("The queue is empty.");
            var item = _waiting[best].Item;
            _waiting[best] = _waiting[^1];
            _waiting.RemoveAt(_waiting.Count - 1);
            return item;
        }

        public bool Remove(T item)
        {
            var comparer = EqualityComparer<T>.Default;
            var i = _waiting.FindIndex(q => comparer.Equals(q.Item, item));
            if (i >= 0)
            {
                _waiting[i] = _waiting[^1];
                _waiting.RemoveAt(_waiting.Count - 1);
                return true;
            }
            for (var j = 0; j < _preempted.Count; j++)
                if (comparer.Equals(_preempted[j].Item, item)) return _preempted.Remove(_preempted[j]);
            return false;
        }

        private int Best(double now)
        {
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < _waiting.Count; i++)
            {
                var facts = _waiting[i].Facts;
                var score = Score(facts, now);
                if (score < bestScore) continue;
                if (score == bestScore && best >= 0 && (facts.ArrivalTime, facts.Id).CompareTo((_waiting[best].Facts.ArrivalTime, _waiting[best].Facts.Id)) > 0) continue;
                best = i;
                bestScore = score;
            }
            return best;
        }
    }
}
