using Strata.Core.Dispatch.PrefixCache;
using Strata.KvEvents;
using Strata.Serving.Gateway.Backends;

namespace Strata.Serving.Gateway.Signals;

/// <summary>
/// A model's precise prefix index fed by its engines' KV events: one <see cref="KvEventSubscriber"/> per backend
/// (a server's DP ranks each follow their own endpoint, at the port plus the rank), into one
/// <see cref="KvEventIndexAdapter"/> that re-keys blocks from their token ids, applied under the scheduler's lock.
/// An engine whose feed is degraded (batches lost beyond replay, a publisher that stopped answering) is indexed from
/// routing decisions until its events flow again (<see cref="PrefixAffinity.LearnFromRoutes"/>), and says so in
/// <c>/metrics</c>.
/// </summary>
public sealed class KvEventFeed : IDisposable
{
    private readonly KvEventSubscriber[] _subscribers;
    private readonly PrefixAffinity _affinity;

    /// <param name="gate">The lock the model's routing decisions hold.</param>
    public KvEventFeed(IReadOnlyList<Backend> backends, PrefixAffinity affinity, PrefixBlockHasher hasher, Lock gate)
    {
        _affinity = affinity;
        Adapter = new KvEventIndexAdapter(affinity, hasher, gate);
        _subscribers = backends.Select((backend, engine) =>
        {
            var source = backend.Target.KvEvents ?? throw new InvalidOperationException($"{backend.Name} has no kv_events source; the config check admits precise mode only when every backend has one.");
            return new KvEventSubscriber(new KvEventSubscriberOptions
            {
                Endpoint = source.Endpoint,
                ReplayEndpoint = source.ReplayEndpoint,
                DataParallelRank = backend.Rank ?? 0,
            }, engine, Adapter);
        }).ToArray();
    }

    public KvEventIndexAdapter Adapter { get; }

    /// <summary>Each engine's subscriber counters, in backend order.</summary>
    public IEnumerable<KvEventSubscriberStats> Stats => _subscribers.Select(s => s.Stats);

    /// <summary>Blocks the index holds for <paramref name="engine"/>. Call under the routing lock.</summary>
    public int IndexBlocks(int engine) => _affinity.Index.Count(engine);

    /// <summary>Lets a degraded engine be indexed from routes, and a recovered one from its events again. Call under the routing lock, before a decision.</summary>
    public void Sync()
    {
        for (var engine = 0; engine < _subscribers.Length; engine++)
            _affinity.LearnFromRoutes(engine, _subscribers[engine].Stats.State == KvEventSubscriberState.Degraded);
    }

    public void Dispose()
    {
        foreach (var subscriber in _subscribers) subscriber.Dispose();
    }
}
