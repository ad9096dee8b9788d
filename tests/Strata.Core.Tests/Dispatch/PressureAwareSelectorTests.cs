using Strata.Core.Dispatch;

namespace Strata.Core.Tests.Dispatch;

public class PressureAwareSelectorTests
{
    private static EngineView View(int index, double kv = 0.2, long waitingPrefill = 0, long runningPrefill = 0, int waiting = 0,
        long inFlightPrefill = 0, double expert = 0) =>
        new(index, waiting, 0, kv, waitingPrefill, runningPrefill, 0, InFlightPrefillTokens: inFlightPrefill, ExpertPressure: expert);

    private static readonly PressureAwareSelector Selector = new(new PressureWeights());

    [Fact]
    public void Score_follows_the_documented_formula()
    {
        var view = View(0, kv: 0.5, waitingPrefill: 1000, runningPrefill: 1000, waiting: 2, inFlightPrefill: 1000, expert: 0.25);
        Assert.Equal(0.5 + 1.0 + 0.5 + 0.25, Selector.Score(view), 12);
    }

    [Fact]
    public void Engines_at_theta_kv_are_excluded_even_when_otherwise_idle()
    {
        EngineView[] engines = [View(0, kv: 0.9), View(1, kv: 0.5, waitingPrefill: 30_000)];
        Assert.Equal(1, new PressureAwareSelector(new PressureWeights()).Route(default, engines, 0));
    }

    [Fact]
    public void When_every_engine_is_at_theta_kv_the_guard_is_lifted()
    {
        EngineView[] engines = [View(0, kv: 0.95, waitingPrefill: 9000), View(1, kv: 0.92)];
        Assert.Equal(1, new PressureAwareSelector(new PressureWeights()).Route(default, engines, 0));
    }

    [Fact]
    public void Expert_pressure_moves_a_request_off_an_engine_with_equal_token_work()
    {
        EngineView[] engines = [View(0, waitingPrefill: 3000, expert: 1.5), View(1, waitingPrefill: 4000)];
        Assert.Equal(1, new PressureAwareSelector(new PressureWeights()).Route(default, engines, 0));
        Assert.Equal(0, new PressureAwareSelector(new PressureWeights(ExpertWeight: 0)).Route(default, engines, 0));
    }

    [Fact]
    public void Remaining_prefill_of_running_requests_and_in_flight_prompts_count_as_load()
    {
        EngineView[] engines = [View(0, runningPrefill: 2000), View(1, inFlightPrefill: 2000), View(2, waitingPrefill: 1000)];
        Assert.Equal(2, new PressureAwareSelector(new PressureWeights()).Route(default, engines, 0));
    }
}
