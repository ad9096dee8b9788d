namespace Strata.Core.Dispatch;

/// <summary>
/// User or session → the engine that served it last, forgotten <see cref="TimeToLive"/> seconds
/// after its last use (a sliding TTL: every request that is routed refreshes it). Expired
/// entries are swept when the map has doubled since the last sweep, so memory stays bounded by
/// the keys active within one TTL and the sweep costs O(1) per insert amortised.
/// </summary>
public sealed class StickyEngineMap
{
    private readonly Dictionary<string, (int Engine, double ExpiresAt)> _entries = new(StringComparer.Ordinal);
    private int _sweepAt = 1024;

    public StickyEngineMap(double timeToLive)
    {
        if (!(timeToLive > 0))
            throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "sticky_ttl_s must be a positive number of seconds.");
        TimeToLive = timeToLive;
    }

    public double TimeToLive { get; }

    public bool TryGet(string key, double now, out int engine)
    {
        if (_entries.TryGetValue(key, out var entry) && now < entry.ExpiresAt)
        {
            engine = entry.Engine;
            return true;
        }
        engine = -1;
        return false;
    }

    public void Set(string key, int engine, double now)
    {
        _entries[key] = (engine, now + TimeToLive);
        if (_entries.Count < _sweepAt) return;
        foreach (var (k, entry) in _entries)
            if (entry.ExpiresAt <= now) _entries.Remove(k);
        _sweepAt = Math.Max(1024, 2 * _entries.Count);
    }
}
