namespace Strata.Serving.Gateway.Admission;

/// <summary>
/// A per-minute allowance that refills continuously: <see cref="PerMinute"/> units at most, one
/// unit back every 60 / <see cref="PerMinute"/> seconds. Not thread-safe; <see cref="RateLimits"/>
/// locks around a tenant's buckets.
/// </summary>
public sealed class TokenBucket(int perMinute, long now, TimeProvider time)
{
    private double _available = perMinute;
    private long _at = now;

    public int PerMinute { get; } = perMinute;

    /// <summary>Units available at <paramref name="now"/>, after refilling.</summary>
    public double Available(long now)
    {
        _available = Math.Min(PerMinute, _available + time.GetElapsedTime(_at, now).TotalSeconds * PerMinute / 60);
        _at = now;
        return _available;
    }

    /// <summary>Seconds until <paramref name="units"/> (at most the whole allowance) are available; 0 when they are.</summary>
    public double SecondsUntil(double units, long now) => Math.Max(0, (Math.Min(units, PerMinute) - Available(now)) * 60 / PerMinute);

    public void Take(double units, long now) => _available = Available(now) - Math.Min(units, PerMinute);
}
