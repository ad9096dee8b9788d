using System.Diagnostics.CodeAnalysis;
using Strata.Core.Collections;

namespace Strata.Core.Queueing;

/// <summary>
/// <c>fair</c>: deficit round robin across tenants (Shreedhar &amp; Varghese), as Dynamo's router
/// queue serves its classes: each tenant's turn adds <c>quantum_tokens</c> (default 2048) to its
/// deficit, and it is served, FCFS within the tenant, while its deficit covers the head request's
/// cost (its uncached prompt tokens). A tenant whose queue empties leaves the round and loses its
/// deficit. Requests without a tenant share one. Preempted requests resume first.
/// <para>
/// The pick is computed without changing state — for each tenant, the rounds it would need
/// before its head request fits — so the engine can peek, fail to fit, and peek again;
/// <see cref="Take"/> then commits the rounds that passed.
/// </para>
/// </summary>
public sealed class DeficitRoundRobinFairness(int quantumTokens = DeficitRoundRobinFairness.DefaultQuantumTokens) : IQueuePolicy
{
    public const string PolicyName = "fair";
    public const int DefaultQuantumTokens = 2048;

    public string Name => PolicyName;

    public IWaitingQueue<T> CreateQueue<T>() where T : notnull => new Queue<T>(quantumTokens);

    private sealed class Tenant
    {
        public Deque<QueuedItem<object>> Waiting { get; } = new();
        public double Deficit { get; set; }
    }

    private sealed class Queue<T>(int quantum) : IWaitingQueue<T> where T : notnull
    {
        private readonly Dictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);
        private readonly List<string> _ring = []; // active tenants; [0] holds the current turn
        private readonly Deque<QueuedItem<object>> _preempted = new();
        private readonly Dictionary<T, QueuedItem<object>> _index = new();

        public int Count => _index.Count;

        public void Add(T item, in QueueEntry entry)
        {
            var queued = new QueuedItem<object>(item, entry);
            _index.Add(item, queued);
            var name = entry.Tenant ?? "";
            if (!_tenants.TryGetValue(name, out var tenant)) _tenants[name] = tenant = new Tenant();
            if (tenant.Waiting.Count == 0 && !_ring.Contains(name))
            {
                // Joining the round: the turn starts with one quantum if it is the only tenant.
                tenant.Deficit = _ring.Count == 0 ? quantum : 0;
                _ring.Add(name);
            }
            tenant.Waiting.AddLast(queued);
        }

        public void AddPreempted(T item, in QueueEntry entry)
        {
            var queued = new QueuedItem<object>(item, entry);
            _index.Add(item, queued);
            _preempted.AddFirst(queued);
        }

        public bool TryPeek(double now, [MaybeNullWhen(false)] out T item)
        {
            var pick = Pick();
            item = pick is { } p ? (T)p.Item.Item : default;
            return pick is not null;
        }

        public T Take(double now)
        {
            var pick = Pick() ?? throw new InvalidOperationException("The queue is empty.");
            _index.Remove((T)pick.Item.Item);
            if (pick.Position < 0)
            {
                _preempted.RemoveFirst();
                return (T)pick.Item.Item;
            }
            // Commit the turns that passed: tenants before the chosen one in its round had one more turn.
            for (var j = 0; j < _ring.Count; j++)
            {
                var turns = j == 0 ? pick.Rounds : pick.Rounds + (j <= pick.Position ? 1 : 0);
                _tenants[_ring[j]].Deficit += turns * (double)quantum;
            }
            var name = _ring[pick.Position];
            var tenant = _tenants[name];
            tenant.Waiting.RemoveFirst();
            tenant.Deficit -= pick.Item.Facts.UncachedTokens;
            // The chosen tenant now holds the turn.
            var rotated = _ring.Skip(pick.Position).Concat(_ring.Take(pick.Position)).ToList();
            _ring.Clear();
            _ring.AddRange(rotated);
            if (tenant.Waiting.Count == 0)
            {
                _ring.RemoveAt(0);
                tenant.Deficit = 0;
                if (_ring.Count > 0) _tenants[_ring[0]].Deficit += quantum;
            }
            return (T)pick.Item.Item;
        }

        public bool Remove(T item)
        {
            if (!_index.Remove(item, out var queued)) return false;
            if (_preempted.Remove(queued)) return true;
            var name = queued.Facts.Tenant ?? "";
            var tenant = _tenants[name];
            tenant.Waiting.Remove(queued);
            if (tenant.Waiting.Count == 0)
            {
                var position = _ring.IndexOf(name);
                _ring.RemoveAt(position);
                tenant.Deficit = 0;
                if (position == 0 && _ring.Count > 0) _tenants[_ring[0]].Deficit += quantum;
            }
            return true;
        }

        private readonly record struct Choice(QueuedItem<object> Item, int Position, long Rounds);

        /// <summary>The tenant whose head request fits first, counting the turns it takes to get there.</summary>
        private Choice? Pick()
        {
            if (_preempted.Count > 0) return new Choice(_preempted.PeekFirst(), -1, 0);
            Choice? best = null;
            for (var j = 0; j < _ring.Count; j++)
            {
                var tenant = _tenants[_ring[j]];
                var head = tenant.Waiting.PeekFirst();
                // Deficit at this tenant's turn in round r: its own + (r turns, +1 if its first turn is still ahead).
                var start = tenant.Deficit + (j == 0 ? 0 : quantum);
                var rounds = (long)Math.Max(0, Math.Ceiling((head.Facts.UncachedTokens - start) / quantum));
                if (best is null || rounds < best.Value.Rounds) best = new Choice(head, j, rounds);
            }
            return best;
        }
    }
}
