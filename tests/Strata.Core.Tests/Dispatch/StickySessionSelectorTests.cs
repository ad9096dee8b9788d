using Strata.Core.Dispatch;

namespace Strata.Core.Tests.Dispatch;

public class StickySessionSelectorTests
{
    private static StickySessionSelector Sticky(StickyOptions? options = null) => new(new RoundRobinSelector(), options ?? new StickyOptions());

    private static EngineView View(int index, double kv = 0.2, long pending = 0, bool healthy = true) =>
        new(index, 0, 0, kv, pending, 0, 0, Healthy: healthy);

    private static DispatchRequest Request(string? session, string? user = null) => new(1, 10, User: user, Session: session);

    [Fact]
    public void A_session_returns_to_its_engine_within_the_ttl()
    {
        var sticky = Sticky(new StickyOptions(TtlSeconds: 5));
        EngineView[] engines = [View(0), View(1), View(2)];
        Assert.Equal(0, sticky.Route(Request("s"), engines, 0));
        Assert.Equal(1, sticky.Route(Request("t"), engines, 0));
        Assert.Equal(0, sticky.Route(Request("s"), engines, 4));
        Assert.True(sticky.LastWasSticky);
        Assert.Equal(2, sticky.Route(Request("s"), engines, 9.5)); // expired: inner round-robin
        Assert.False(sticky.LastWasSticky);
    }

    [Fact]
    public void Session_key_falls_back_to_the_user_and_user_key_ignores_sessions()
    {
        var bySession = Sticky();
        EngineView[] engines = [View(0), View(1)];
        Assert.Equal(0, bySession.Route(Request(null, user: "u"), engines, 0));
        Assert.Equal(0, bySession.Route(Request(null, user: "u"), engines, 1));
        Assert.True(bySession.LastWasSticky);

        var byUser = Sticky(new StickyOptions(KeyBySession: false));
        Assert.Equal(0, byUser.Route(Request("s1", user: null), engines, 0));
        Assert.Equal(1, byUser.Route(Request("s1", user: null), engines, 1));
        Assert.False(byUser.LastWasSticky);
    }

    [Fact]
    public void Stickiness_is_dropped_when_the_engine_is_kv_saturated_and_the_session_remapped()
    {
        var sticky = Sticky();
        EngineView[] engines = [View(0), View(1)];
        Assert.Equal(0, sticky.Route(Request("s"), engines, 0));
        engines[0] = View(0, kv: 0.9);
        Assert.Equal(1, sticky.Route(Request("s"), engines, 1));
        Assert.False(sticky.LastWasSticky);
        engines[0] = View(0);
        Assert.Equal(1, sticky.Route(Request("s"), engines, 2));
        Assert.True(sticky.LastWasSticky);
    }

    [Fact]
    public void Stickiness_is_dropped_above_twice_the_others_mean_plus_slack()
    {
        var sticky = Sticky();
        EngineView[] engines = [View(0), View(1), View(2)];
        Assert.Equal(0, sticky.Route(Request("s"), engines, 0));
        // others' mean is 1000: the limit is 2·1000 + 3000 = 5000 pending prefill tokens.
        engines = [View(0, pending: 5000), View(1, pending: 500), View(2, pending: 1500)];
        Assert.Equal(0, sticky.Route(Request("s"), engines, 1));
        Assert.True(sticky.LastWasSticky);
        engines[0] = View(0, pending: 5001);
        Assert.NotEqual(0, sticky.Route(Request("s"), engines, 2));
        Assert.False(sticky.LastWasSticky);
    }

    [Fact]
    public void An_unhealthy_sticky_engine_is_never_chosen()
    {
        var sticky = Sticky();
        EngineView[] engines = [View(0), View(1)];
        Assert.Equal(0, sticky.Route(Request("s"), engines, 0));
        engines[0] = View(0, healthy: false);
        Assert.Equal(1, sticky.Route(Request("s"), engines, 1));
    }
}
