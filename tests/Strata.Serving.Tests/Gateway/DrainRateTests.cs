using Strata.Serving.Gateway.Admission;

namespace Strata.Serving.Tests.Gateway;

/// <summary>Retry-After from the queue's recent drain: waiting / rate, rounded up, between 1 s and the queue TTL.</summary>
public sealed class DrainRateTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(60);

    [Fact]
    public void Before_anything_left_the_answer_is_one_second()
    {
        Assert.Equal(1, new DrainRate(new ManualTime()).RetryAfterSeconds(waiting: 500, Ttl));
    }

    [Fact]
    public void Waiting_requests_over_the_recent_rate_rounded_up_and_capped_by_the_ttl()
    {
        var time = new ManualTime();
        var drain = new DrainRate(time);
        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            drain.OnRelease(time.GetTimestamp());
        }
        // 10 releases, the oldest 4.5 s ago: 2.2 per second.
        Assert.Equal(5, drain.RetryAfterSeconds(waiting: 10, Ttl));
        Assert.Equal(1, drain.RetryAfterSeconds(waiting: 1, Ttl));
        Assert.Equal(3, drain.RetryAfterSeconds(waiting: 100, TimeSpan.FromSeconds(2.5)));

        // Nothing finishes for a while: the rate decays and the advice grows.
        time.Advance(TimeSpan.FromSeconds(15.5));
        Assert.Equal(20, drain.RetryAfterSeconds(waiting: 10, Ttl));
    }

    [Fact]
    public void Only_the_last_window_of_releases_counts()
    {
        var time = new ManualTime();
        var drain = new DrainRate(time);
        for (var i = 0; i < DrainRate.Window; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            drain.OnRelease(time.GetTimestamp());
        }
        for (var i = 0; i < DrainRate.Window; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            drain.OnRelease(time.GetTimestamp());
        }
        // 64 releases over the last 6.3 s: ~10 per second, the slow hour before forgotten.
        Assert.Equal(10, drain.RetryAfterSeconds(waiting: 100, Ttl));
    }

    [Fact]
    public void After_a_reset_the_releases_before_it_are_forgotten()
    {
        var time = new ManualTime();
        var drain = new DrainRate(time);
        drain.OnRelease(time.GetTimestamp());
        time.Advance(TimeSpan.FromMinutes(10));

        drain.Reset();

        Assert.Equal(1, drain.RetryAfterSeconds(waiting: 10, Ttl));
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
