using System.Diagnostics.CodeAnalysis;
using Strata.Core.Collections;

namespace Strata.Core.Queueing;

/// <summary>
/// <c>sjf</c>: vLLM's newer SJF policy — highest score first, where
/// score = 0.5·σ((wait − 5)/5) + 0.5·σ(−(prompt − 32768)/32768), σ(x) = 1/(1+e^−x)
/// (<c>vllm/v1/core/sched/policy/</c> @ 0097c7ed). vLLM recomputes the score inside heap comparisons, so its heap
/// order can go stale; here the best score is found exactly at the pick's time (as TensorRT-LLM's
/// SJF scores once per scheduling round). Ties by arrival, then id. Preempted requests resume first.
/// </summary>
/// <remarks>
/// The score falls with arrival time and with prompt length, so a request that arrived no later
/// and is no longer than another scores at least as high (and wins the tie by arrival). The best
/// request is therefore one of the "records": requests shorter than every request that arrived
/// before them. A min-length segment tree over arrival order walks from one record to the next in
/// O(log n) each, and random lengths give ~ln n records, so a pick among 10,000 waiting requests
/// scores about ten of them instead of all (docs/benchmarks.md).
/// </remarks>
public sealed class VllmShortestJobFirst : IQueuePolicy
{
    public const string PolicyName = "sjf";

    public string Name => PolicyName;

    public IWaitingQueue<T> CreateQueue<T>() where T : notnull => new Queue<T>();

    public static double Score(in QueueEntry entry, double now) => WaitTerm(entry.ArrivalTime, now) + LengthTerm(entry.PromptTokens);

    // Score is computed as these two terms added in this order everywhere, so a pick and a full scan agree to the last bit.

    private static double WaitTerm(double arrival, double now) => 0.5 * Sigmoid((now - arrival - 5) / 5);

    private static double LengthTerm(int promptTokens) => 0.5 * Sigmoid(-(promptTokens - 32768.0) / 32768);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private sealed class Queue<T> : IWaitingQueue<T> where T : notnull
    {
        private readonly ArrivalOrderMinTree<QueuedItem<T>> _byArrival = new(q => q.Facts.PromptTokens, Earlier);
        private readonly Dictionary<T, QueuedItem<T>> _index = new();
        private readonly Deque<QueuedItem<T>> _preempted = new();
        private QueuedItem<T>? _peeked;
        private double _peekedAt = double.NaN;

        public int Count => _index.Count;

        public void Add(T item, in QueueEntry entry)
        {
            var queued = new QueuedItem<T>(item, entry);
            _index.Add(item, queued);
            _byArrival.Add(queued);
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
            else _byArrival.Remove(next);
            _index.Remove(next.Item);
            _peeked = null;
            return next.Item;
        }

        public bool Remove(T item)
        {
            if (!_index.Remove(item, out var queued)) return false;
            if (!_preempted.Remove(queued)) _byArrival.Remove(queued);
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

        /// <summary>
        /// The highest score among the records (see the class remarks); ties to the earlier
        /// arrival. The walk stops once a record's wait term plus the best length term of the
        /// whole queue cannot beat the best found: every later record waited less.
        /// </summary>
        private QueuedItem<T>? Best(double now)
        {
            QueuedItem<T>? best = null;
            var bestScore = double.NegativeInfinity;
            var bestLengthTerm = _byArrival.Count == 0 ? 0 : LengthTerm(_byArrival.MinKey);
            for (var record = _byArrival.NextRecord(null); record is not null; record = _byArrival.NextRecord(record))
            {
                var waitTerm = WaitTerm(record.Facts.ArrivalTime, now);
                if (waitTerm + bestLengthTerm <= bestScore) break;
                var score = waitTerm + LengthTerm(record.Facts.PromptTokens);
                // Records come in arrival order, so a tie keeps the earlier one.
                if (score <= bestScore) continue;
                (best, bestScore) = (record, score);
            }
            return best;
        }

        private static bool Earlier(QueuedItem<T> a, QueuedItem<T> b) =>
            (a.Facts.ArrivalTime, a.Facts.Id).CompareTo((b.Facts.ArrivalTime, b.Facts.Id)) < 0;
    }
}
