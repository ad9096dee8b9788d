namespace Strata.Serving.Gateway.Admission;

/// <summary>
/// How fast a model's requests leave its engines, from the release times of the last
/// <see cref="Window"/> of them, so a 429 can say when a place in the queue is likely to free up
/// (docs/gateway.md, "Retry-After"): <c>ceil(waiting / rate)</c> seconds, at least 1 and at most
/// the queue's TTL. Measured up to now, so a rate decays while nothing finishes — but only while the
/// model is busy: the scheduler calls <see cref="Reset"/> when it goes idle, since time with nothing
/// to do says nothing about how fast requests leave. Not thread-safe: the model's scheduler calls
/// it under its lock.
/// </summary>
public sealed class DrainRate(TimeProvider time)
{
    /// <summary>Releases remembered: enough to smooth single requests, few enough to follow a load change within seconds.</summary>
    public const int Window = 64;

    private readonly long[] _releases = new long[Window];
    private int _count;
    private int _next;

    public void OnRelease(long timestamp)
    {
        _releases[_next] = timestamp;
        _next = (_next + 1) % Window;
        _count = Math.Min(_count + 1, Window);
    }

    /// <summary>Forgets every release: the model went idle, and its next busy spell is measured afresh.</summary>
    public void Reset() => _count = 0;

    /// <summary>Whole seconds until <paramref name="waiting"/> requests would have left at the recent rate; 1 before any left.</summary>
    public int RetryAfterSeconds(int waiting, TimeSpan ttl)
    {
        var most = Math.Max(1, (int)Math.Ceiling(ttl.TotalSeconds));
        if (_count == 0) return 1;
        var oldest = _releases[(_next - _count + Window) % Window];
        var seconds = time.GetElapsedTime(oldest).TotalSeconds;
        if (seconds <= 0) return 1;
        var rate = _count / seconds;
        return (int)Math.Clamp(Math.Ceiling(waiting / rate), 1, most);
    }
}
