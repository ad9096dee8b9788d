using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Dispatch;
using Strata.Core.Policies;

namespace Strata.Core.Tests.Dispatch;

public class SelectorTests
{
    private static EngineView View(int index, double kv = 0.1, long pending = 0, long running = 0, int waiting = 0, bool healthy = true, double age = 0) =>
        new(index, waiting, 0, kv, pending, 0, running, Healthy: healthy, SignalAge: age);

    private static IEngineSelector Create(string name, params (string, string)[] parameters) =>
        Policies.Policies.Dispatch.Create(new PolicyOptions(name, parameters.ToDictionary(p => p.Item1, p => p.Item2), "dispatch"));

    private static readonly DispatchRequest Anonymous = new(1, 100);

    [Fact]
    public void Gimbal_sends_to_the_emptiest_kv_when_one_engine_is_saturated_and_the_gap_is_at_least_theta_diff()
    {
        var gimbal = Create("gimbal");
        EngineView[] engines = [View(0, kv: 0.90), View(1, kv: 0.80), View(2, kv: 0.85)];
        Assert.Equal(1, gimbal.Select(Anonymous, engines, 0)); // 0.90 ≥ θkv and 0.90 − 0.80 = θdiff exactly
    }

    [Fact]
    public void Gimbal_balances_token_load_when_kv_is_saturated_but_even_and_the_gap_exceeds_theta_load()
    {
        var gimbal = Create("gimbal", ("default", "round-robin"));
        EngineView[] engines = [View(0, kv: 0.95, pending: 5000), View(1, kv: 0.94, pending: 1999), View(2, kv: 0.93, pending: 4000)];
        Assert.Equal(1, gimbal.Select(Anonymous, engines, 0)); // 5000 − 1999 = 3001 > 3000

        EngineView[] atThreshold = [View(0, kv: 0.95, pending: 5000), View(1, kv: 0.94, pending: 2000)];
        var fresh = Create("gimbal", ("default", "round-robin"));
        Assert.Equal(0, fresh.Select(Anonymous, atThreshold, 0)); // gap 3000 is not > θload: default path (round-robin → 0)
    }

    [Fact]
    public void Gimbal_keeps_a_user_on_its_engine_until_the_ttl_expires_and_records_even_the_default_choice()
    {
        var gimbal = Create("gimbal", ("sticky_ttl_s", "10"));
        EngineView[] engines = [View(0), View(1), View(2), View(3)];
        var alice = new DispatchRequest(1, 100, User: "alice");
        var first = gimbal.Select(alice, engines, 0);           // default path, recorded (line 21)
        Assert.Equal(first, gimbal.Select(alice with { Id = 2 }, engines, 5));
        Assert.Equal(first, gimbal.Select(alice with { Id = 3 }, engines, 9));
        Assert.NotEqual(first, gimbal.Select(alice with { Id = 4 }, engines, 30)); // expired: round-robin moved on
    }

    [Fact]
    public void Gimbal_ignores_stickiness_when_kv_is_saturated()
    {
        var gimbal = Create("gimbal");
        var bob = new DispatchRequest(1, 100, User: "bob");
        EngineView[] calm = [View(0), View(1)];
        Assert.Equal(0, gimbal.Select(bob, calm, 0));
        EngineView[] hot = [View(0, kv: 0.95), View(1, kv: 0.5)];
        Assert.Equal(1, gimbal.Select(bob with { Id = 2 }, hot, 1));
    }

    [Fact]
    public void Gimbal_without_fresh_metrics_uses_the_default_path()
    {
        var gimbal = Create("gimbal", ("default", "vllm-dp"), ("max_signal_age_s", "0.5"));
        EngineView[] stale = [View(0, kv: 0.99, waiting: 3, age: 2), View(1, kv: 0.1, waiting: 0, age: 2)];
        Assert.Equal(1, gimbal.Select(Anonymous, stale, 0)); // vllm-dp: fewer waiting
        EngineView[] staleReversed = [View(0, kv: 0.1, waiting: 0, age: 2), View(1, kv: 0.99, waiting: 3, age: 2)];
        Assert.Equal(0, gimbal.Select(Anonymous, staleReversed, 0));
    }

    [Fact]
    public void Least_load_picks_fewest_pending_prefill_tokens()
    {
        EngineView[] engines = [View(0, pending: 900), View(1, pending: 100), View(2, pending: 100, healthy: false)];
        Assert.Equal(1, Create("least-load").Select(Anonymous, engines, 0));
    }

    [Fact]
    public void Unknown_gimbal_default_path_is_named()
    {
        var e = Assert.Throws<PolicyConfigurationException>(() => Create("gimbal", ("default", "random")));
        Assert.Contains("dispatch.default", e.Message);
    }

    public static TheoryData<string> AllSelectors() => new(Policies.Policies.Dispatch.Names);

    [Theory]
    [MemberData(nameof(AllSelectors))]
    public void No_healthy_engine_means_no_choice(string name)
    {
        EngineView[] engines = [View(0, healthy: false), View(1, healthy: false)];
        Assert.Equal(-1, Create(name).Select(Anonymous, engines, 0));
    }

    [Property(MaxTest = 200)]
    public Property Every_selector_only_ever_picks_a_healthy_engine()
    {
        var gen =
            from count in Gen.Choose(1, 8)
            from healthy in Gen.ArrayOf(Gen.Elements(true, false), count)
            from kv in Gen.ArrayOf(Gen.Choose(0, 100), count)
            from pending in Gen.ArrayOf(Gen.Choose(0, 20000), count)
            from name in Gen.Elements(Policies.Policies.Dispatch.Names.ToArray())
            select (healthy, kv, pending, name);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var engines = c.healthy.Select((h, i) => View(i, kv: c.kv[i] / 100.0, pending: c.pending[i], healthy: h)).ToArray();
            var selector = Create(c.name);
            for (var r = 0; r < 20; r++)
            {
                var pick = selector.Select(new DispatchRequest(r, 100, User: "u" + (r % 3)), engines, r);
                if (c.healthy.Any(h => h) ? pick < 0 || !engines[pick].Healthy : pick != -1) return false;
            }
            return true;
        });
    }

    [Fact]
    public void Round_robin_visits_every_engine_in_turn()
    {
        var rr = Create("round-robin");
        EngineView[] engines = [View(0), View(1), View(2)];
        Assert.Equal([0, 1, 2, 0], Enumerable.Range(0, 4).Select(i => rr.Select(Anonymous, engines, i)));
    }

    [Fact]
    public void Gimbal_pressure_keeps_away_from_full_kv_and_from_engines_pressing_hot_ranks()
    {
        var selector = Create("gimbal-pressure");
        // The emptiest backlog is behind the KV guard: it is skipped while another engine is below θkv.
        EngineView[] guarded = [View(0, kv: 0.95), View(1, kv: 0.5, pending: 4000)];
        Assert.Equal(1, selector.Select(Anonymous, guarded, 0));
        // All at or above θkv: the guard lifts and the score decides.
        EngineView[] allFull = [View(0, kv: 0.97, pending: 4000), View(1, kv: 0.95)];
        Assert.Equal(1, selector.Select(Anonymous, allFull, 0));
        // Otherwise equal engines: the one whose traffic presses hot EP ranks loses.
        EngineView[] pressed = [View(0, kv: 0.3) with { ExpertPressure = 1.4 }, View(1, kv: 0.3) with { ExpertPressure = 1.0 }];
        Assert.Equal(1, selector.Select(Anonymous, pressed, 0));
    }

    [Fact]
    public void Vllm_dp_classic_weighs_waiting_four_times_running()
    {
        EngineView[] engines = [new(0, 1, 0, 0.2, 0, 0, 0), new(1, 0, 3, 0.2, 0, 0, 0)];
        Assert.Equal(1, Create("vllm-dp").Select(Anonymous, engines, 0)); // 4·1 + 0 = 4 > 0 + 3 = 3
    }

    [Fact]
    public void Vllm_dp_current_adds_a_kv_penalty_to_waiting_work_and_rotates_ties()
    {
        var current = Create("vllm-dp", ("rule", "current"));
        // Same waiting + running (4); KV 0.9 adds 1·6·0.4 = 2.4 to engine 0.
        EngineView[] engines = [new(0, 1, 3, 0.9, 0, 0, 0), new(1, 1, 3, 0.5, 0, 0, 0)];
        Assert.Equal(1, current.Select(Anonymous, engines, 0));
        // Ties: the scan starts one rank later after every pick.
        var tied = Create("vllm-dp", ("rule", "current"));
        EngineView[] even = [View(0), View(1), View(2)];
        Assert.Equal([0, 1, 2], Enumerable.Range(0, 3).Select(i => tied.Select(Anonymous, even, i)));
    }
}
