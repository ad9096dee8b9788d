using Strata.Core.Dispatch;

namespace Strata.Core.Tests.Dispatch;

public class VllmDataParallelSelectorTests
{
    private static EngineView View(int index, int waiting, int running, double kv = 0, int inFlight = 0) =>
        new(index, waiting, running, kv, 0, 0, 0, InFlight: inFlight);

    [Fact]
    public void Classic_weighs_waiting_four_times_running()
    {
        var classic = new VllmDataParallelSelector(VllmDataParallelRule.Classic);
        EngineView[] engines = [View(0, waiting: 1, running: 0, kv: 0.5), View(1, waiting: 0, running: 3)];
        Assert.Equal(1, classic.Route(default, engines, 0)); // 4 vs 3
    }

    [Fact]
    public void Current_counts_waiting_once_below_half_kv()
    {
        var current = new VllmDataParallelSelector(VllmDataParallelRule.Current);
        EngineView[] engines = [View(0, waiting: 1, running: 0, kv: 0.5), View(1, waiting: 0, running: 3)];
        Assert.Equal(0, current.Route(default, engines, 0)); // 1 vs 3
    }

    [Fact]
    public void Current_penalises_waiting_on_a_kv_bound_engine()
    {
        var current = new VllmDataParallelSelector(VllmDataParallelRule.Current);
        EngineView[] engines = [View(0, waiting: 1, running: 0, kv: 1.0), View(1, waiting: 0, running: 3)];
        Assert.Equal(1, current.Route(default, engines, 0)); // 1 + 1·6·0.5 = 4 vs 3
    }

    [Fact]
    public void In_flight_requests_count_as_waiting_in_both_rules()
    {
        EngineView[] engines = [View(0, 0, 0, inFlight: 2), View(1, 0, 1)];
        Assert.Equal(1, new VllmDataParallelSelector(VllmDataParallelRule.Classic).Route(default, engines, 0));
        Assert.Equal(1, new VllmDataParallelSelector(VllmDataParallelRule.Current).Route(default, engines, 0));
    }

    [Fact]
    public void Current_rotates_the_scan_start_so_ties_spread_and_classic_does_not()
    {
        EngineView[] engines = [View(0, 0, 0), View(1, 0, 0), View(2, 0, 0)];
        var current = new VllmDataParallelSelector(VllmDataParallelRule.Current);
        var classic = new VllmDataParallelSelector(VllmDataParallelRule.Classic);
        Assert.Equal([0, 1, 2, 0], Enumerable.Range(0, 4).Select(_ => current.Route(default, engines, 0)));
        Assert.Equal([0, 0, 0], Enumerable.Range(0, 3).Select(_ => classic.Route(default, engines, 0)));
    }
}
