using Strata.Core.Dispatch;

namespace Strata.Core.Tests.Dispatch;

public class GimbalCascadeSelectorTests
{
    private static GimbalCascadeSelector Gimbal(IEngineSelector? fallback = null) =>
        new(new GimbalThresholds(), fallback ?? new RoundRobinSelector());

    private static EngineView View(int index, double kv, long runningTokens = 0, long waitingPrefill = 0, double age = 0, bool healthy = true) =>
        new(index, Waiting: 0, Running: 0, KvUsage: kv, WaitingPrefillTokens: waitingPrefill, RunningPrefillTokens: 0,
            RunningTokens: runningTokens, Healthy: healthy, SignalAge: age);

    private static DispatchRequest Request(string? user = null) => new(1, 100, User: user);

    [Fact]
    public void Kv_at_theta_kv_and_gap_at_theta_diff_sends_to_least_kv_engine()
    {
        var gimbal = Gimbal();
        // 0.9 − 0.8 is 0.0999… in binary; both comparisons are ≥ and must hold at equality.
        EngineView[] engines = [View(0, 0.9), View(1, 0.8), View(2, 0.85)];
        Assert.Equal(1, gimbal.Route(Request(), engines, 0));
        Assert.Equal(GimbalBranch.KvGap, gimbal.LastBranch);
    }

    [Fact]
    public void Kv_just_below_theta_kv_takes_the_default_path()
    {
        var gimbal = Gimbal();
        EngineView[] engines = [View(0, 0.8999), View(1, 0.0, runningTokens: 50_000)];
        Assert.Equal([0, 1, 0], [gimbal.Route(Request(), engines, 0), gimbal.Route(Request(), engines, 0), gimbal.Route(Request(), engines, 0)]);
        Assert.Equal(GimbalBranch.Default, gimbal.LastBranch);
    }

    [Fact]
    public void Small_kv_gap_with_token_load_gap_equal_to_theta_load_keeps_the_default()
    {
        var gimbal = Gimbal();
        EngineView[] engines = [View(0, 0.95, runningTokens: 3000), View(1, 0.90)];
        Assert.Equal(0, gimbal.Route(Request(), engines, 0)); // round-robin's first pick, load gap not > 3000
        Assert.Equal(GimbalBranch.Default, gimbal.LastBranch);
    }

    [Fact]
    public void Small_kv_gap_with_token_load_gap_above_theta_load_sends_to_least_running_load()
    {
        var gimbal = Gimbal();
        // RunningLoad = running tokens + waiting prefill + in-flight prefill: engine 0 = 2000 + 1001, engine 1 = 0.
        EngineView[] engines = [View(0, 0.95, runningTokens: 2000, waitingPrefill: 1001), View(1, 0.90)];
        Assert.Equal(1, gimbal.Route(Request(), engines, 0));
        Assert.Equal(GimbalBranch.TokenLoad, gimbal.LastBranch);
    }

    [Fact]
    public void Running_load_counts_in_flight_prompts_but_not_running_prefill_twice()
    {
        var view = new EngineView(0, 1, 2, 0.5, WaitingPrefillTokens: 100, RunningPrefillTokens: 70, RunningTokens: 1000, InFlight: 1, InFlightPrefillTokens: 30);
        Assert.Equal(1130, GimbalCascadeSelector.RunningLoad(view));
    }

    [Fact]
    public void User_is_sent_to_its_mapped_engine_until_the_ttl_expires()
    {
        var gimbal = new GimbalCascadeSelector(new GimbalThresholds(StickyTtlSeconds: 10), new RoundRobinSelector());
        EngineView[] engines = [View(0, 0.1), View(1, 0.1)];
        Assert.Equal(0, gimbal.Route(Request("u"), engines, 0));
        Assert.Equal(0, gimbal.Route(Request("u"), engines, 9.9));
        Assert.Equal(GimbalBranch.UserAffinity, gimbal.LastBranch);
        Assert.Equal(0, gimbal.Route(Request("u"), engines, 19.8)); // line 21 refreshed the entry at 9.9
        Assert.Equal(GimbalBranch.UserAffinity, gimbal.LastBranch);
        // Expired: the default path. Line 1 ran on every request, so round-robin is at its 4th pick.
        Assert.Equal(1, gimbal.Route(Request("u"), engines, 29.81));
        Assert.Equal(GimbalBranch.Default, gimbal.LastBranch);
    }

    [Fact]
    public void Default_path_without_metrics_still_updates_the_user_map()
    {
        var gimbal = Gimbal();
        EngineView[] stale = [View(0, 0.1, age: 60), View(1, 0.1, age: 60)];
        EngineView[] fresh = [View(0, 0.1), View(1, 0.1)];
        Assert.Equal(0, gimbal.Route(Request("other"), stale, 0));
        Assert.Equal(1, gimbal.Route(Request("u"), stale, 0));
        Assert.Equal(GimbalBranch.Default, gimbal.LastBranch);
        Assert.Equal(1, gimbal.Route(Request("u"), fresh, 1)); // round-robin would give 0
        Assert.Equal(GimbalBranch.UserAffinity, gimbal.LastBranch);
    }

    [Fact]
    public void Saturated_kv_skips_user_affinity()
    {
        var gimbal = Gimbal();
        EngineView[] calm = [View(0, 0.1), View(1, 0.1)];
        EngineView[] saturated = [View(0, 0.95), View(1, 0.93)];
        Assert.Equal(0, gimbal.Route(Request("u"), calm, 0));
        Assert.Equal(1, gimbal.Route(Request("u"), saturated, 1)); // the default's next engine, not the sticky 0
        Assert.Equal(GimbalBranch.Default, gimbal.LastBranch);
    }

    [Fact]
    public void Stale_views_mean_no_metric_data()
    {
        var gimbal = new GimbalCascadeSelector(new GimbalThresholds(MaxSignalAgeSeconds: 1), new RoundRobinSelector());
        EngineView[] engines = [View(0, 0.95, age: 1.5), View(1, 0.5)];
        Assert.Equal(0, gimbal.Route(Request(), engines, 0));
        Assert.Equal(GimbalBranch.Default, gimbal.LastBranch);
        engines[0] = engines[0] with { SignalAge = 1.0 };
        Assert.Equal(1, gimbal.Route(Request(), engines, 0));
        Assert.Equal(GimbalBranch.KvGap, gimbal.LastBranch);
    }

    [Fact]
    public void Unhealthy_engines_take_no_part_in_argmin_argmax_or_stickiness()
    {
        var gimbal = Gimbal();
        EngineView[] engines = [View(0, 0.0, healthy: false), View(1, 0.95), View(2, 0.80)];
        Assert.Equal(2, gimbal.Route(Request("u"), engines, 0));
        engines[2] = engines[2] with { Healthy = false, KvUsage = 0.1 };
        engines[1] = engines[1] with { KvUsage = 0.1 };
        Assert.Equal(1, gimbal.Route(Request("u"), engines, 1)); // sticky engine 2 is down
    }

    [Fact]
    public void Default_path_can_be_vllm_dp()
    {
        var gimbal = Gimbal(new VllmDataParallelSelector(VllmDataParallelRule.Classic));
        EngineView[] engines = [new(0, Waiting: 1, Running: 0, 0.1, 0, 0, 0), new(1, Waiting: 0, Running: 3, 0.1, 0, 0, 0)];
        Assert.Equal(1, gimbal.Route(Request(), engines, 0));
        Assert.Equal(1, gimbal.Route(Request(), engines, 0));
    }
}
