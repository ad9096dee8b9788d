using System.Diagnostics.CodeAnalysis;
using Strata.Core.Collections;

namespace Strata.Core.Queueing;

/// <summary>
/// <c>sjf</c>: vLLM's newer SJF policy — highest score first, where
/// score = 0.5·σ((wait − 5)/5) + 0.5·σ(−(prompt − 32768)/32768), σ(x) = 1/(1+e^−x)
/// (research/routers.md §7.2). vLLM recomputes the score inside heap comparisons, so its heap
/// order can go stale; here the best score is found exactly at the pick's time (as TensorRT-LLM's
/// SJF scores once per scheduling round). Ties by arrival, then id. Preempted requests resume first.
/// </summary>
/// <remarks>
/// The score is a falling function of arrival time plus a falling function of prompt length, so
/// the best request is found with Fagin's threshold algorithm: walk the requests by arrival and by
/// length side by side, scoring each one met, and stop once the best score met beats what any
/// request not yet met could reach — the score of the current arrival plus the current length.
/// The wait term saturates after ~20 s, so the walk stays short where a full scan of 10,000
/// requests took 629 µs (docs/benchmarks.md).
/// </remarks>
public sealed class VllmShortestJobFirst : IQueuePolicy
{
    public const string PolicyName = "sjf";

    public string Name => PolicyName;

    public IWaitingQueue<T> CreateQueue<T>() where T : notnull => new Queue<T>();

    public static double Score(in QueueEntry entry, double now) => WaitTerm(entry.ArrivalTime, now) + LengthTerm(entry.PromptTokens);

    private static double WaitTerm(double arrival, double now) => 0.5 * Sigmoid((now - arrival - 5) / 5);

    private static double LengthTerm(int promptTokens) => 0.5 * Sigmoid(-(promptTokens - 32768.0) / 32768);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private sealed class Queue<T> : IWaitingQueue<T> where T : notnull
    {
        private static readonly Comparer<QueuedItem<T>> ByLength = Comparer<QueuedItem<T>>.Create((a, b) =>
            (a.Facts.PromptTokens, a.Facts.Id).CompareTo((b.Facts.PromptTokens, b.Facts.Id)));

        private readonly List<QueuedItem<T>> _byArrival = [];
        private readonly SortedSet<QueuedItem<T>> _byLength = new(ByLength);
        private readonly Dictionary<T, QueuedItem<T>> _index = new();
        private readonly Deque<QueuedItem<T>> _preempted = new();
        private int _arrivalHead;
        private int _goneInArrival;
        private QueuedItem<T>? _peeked;
        private double _peekedAt = double.NaN;

        public int Count => _index.Count;

        public void Add(T item, in QueueEntry entry)
        {
            var queued = new QueuedItem<T>(item, entry);
            _index.Add(item, queued);
            _byLength.Add(queued);
            // Arrivals come in time order; an out-of-order one is placed where it belongs.
            if (_byArrival.Count == 0 || Earlier(_byArrival[^1], queued)) _byArrival.Add(queued);
            else _byArrival.Insert(InsertionPoint(queued), queued);
            _peeked = null;
        }

        public void AddPreempted(T item, in QueueEntry entry)
        {
            var queued = new QueuedItem<T>(item, entry);
            _index.Add(item, queued);
            _preempted.AddFirst(queued);
            _peeked = null;
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
            if (_preempted.Count > 0) _preempted.RemoveFirst();
            else Forget(next);
            _index.Remove(next.Item);
            _peeked = null;
            return next.Item;
        }

        public bool Remove(T item)
        {
            if (!_index.Remove(item, out var queued)) return false;
            if (!_preempted.Remove(queued)) Forget(queued);
            _peeked = null;
            return true;
        }

        private QueuedItem<T>? Next(double now)
        {
            if (_preempted.Count > 0) return _preempted.PeekFirst();
            if (_peeked is not null && _peekedAt == now) return _peeked;
            _peeked = Best(now);
            _peekedAt = now;
            return _peeked;
        }

        /// <summary>Fagin's threshold algorithm over the arrival and length orders (see the class remarks).</summary>
        private QueuedItem<T>? Best(double now)
        {
            QueuedItem<T>? best = null;
            var bestScore = double.NegativeInfinity;
            var arrival = _arrivalHead;
            foreach (var byLength in _byLength)
            {
                while (_byArrival[arrival].Gone) arrival++;
                var byArrival = _byArrival[arrival++];
                Consider(byArrival);
                Consider(byLength);
                // No request met in neither order can score above its arrival's and its length's terms.
                var threshold = WaitTerm(byArrival.Facts.ArrivalTime, now) + LengthTerm(byLength.Facts.PromptTokens);
                if (bestScore > threshold || (bestScore == threshold && !Earlier(byArrival, best!))) break;
            }
            return best;

            void Consider(QueuedItem<T> candidate)
            {
                var score = Score(candidate.Facts, now);
                if (score < bestScore || (score == bestScore && Earlier(best!, candidate))) return;
                (best, bestScore) = (candidate, score);
            }
        }

        /// <summary>Drops a request from both orders: at once from the length order, lazily from the arrival order.</summary>
        private void Forget(QueuedItem<T> queued)
        {
            _byLength.Remove(queued);
            queued.Gone = true;
            _goneInArrival++;
            while (_arrivalHead < _byArrival.Count && _byArrival[_arrivalHead].Gone)
            {
                _arrivalHead++;
                _goneInArrival--;
            }
            if (_goneInArrival > 64 && _goneInArrival > (_byArrival.Count - _arrivalHead) / 2) Compact();
        }

        private void Compact()
        {
            _byArrival.RemoveRange(0, _arrivalHead);
            _byArrival.RemoveAll(q => q.Gone);
            _arrivalHead = 0;
            _goneInArrival = 0;
        }

        private int InsertionPoint(QueuedItem<T> queued)
        {
            int low = _arrivalHead, high = _byArrival.Count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (Earlier(_byArrival[middle], queued)) low = middle + 1;
                else high = middle;
            }
            return low;
        }

        private static bool Earlier(QueuedItem<T> a, QueuedItem<T> b) =>
            (a.Facts.ArrivalTime, a.Facts.Id).CompareTo((b.Facts.ArrivalTime, b.Facts.Id)) < 0;
    }
}
