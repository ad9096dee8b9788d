using Strata.Core.Dispatch;

namespace Strata.Core.Tests.Dispatch;

public class LoadSelectorTests
{
    private static EngineView View(int index, long waitingPrefill, long runningPrefill = 0, int running = 0, bool healthy = true) =>
        new(index, 0, running, 0.2, waitingPrefill, runningPrefill, 0, Healthy: healthy);

    [Fact]
    public void Least_load_picks_fewest_pending_prefill_tokens_including_running_prefill()
    {
        EngineView[] engines = [View(0, 500), View(1, 100, runningPrefill: 600), View(2, 400, healthy: true)];
        Assert.Equal(2, new LeastLoadSelector().Route(default, engines, 0));
    }

    [Fact]
    public void Least_load_breaks_token_ties_by_request_count()
    {
        EngineView[] engines = [View(0, 100, running: 5), View(1, 100, running: 2)];
        Assert.Equal(1, new LeastLoadSelector().Route(default, engines, 0));
    }

    [Fact]
    public void Power_of_two_with_two_healthy_engines_always_picks_the_less_loaded()
    {
        var selector = new PowerOfTwoSelector(seed: 7);
        EngineView[] engines = [View(0, 900), View(1, 0, healthy: false), View(2, 100)];
        for (var i = 0; i < 50; i++) Assert.Equal(2, selector.Route(default, engines, 0));
    }

    [Fact]
    public void Power_of_two_never_picks_the_most_loaded_of_several()
    {
        var selector = new PowerOfTwoSelector(seed: 1);
        EngineView[] engines = [View(0, 10), View(1, 20), View(2, 30), View(3, 9999)];
        var picks = Enumerable.Range(0, 200).Select(_ => selector.Route(default, engines, 0)).ToList();
        Assert.DoesNotContain(3, picks);
        Assert.Contains(2, picks); // drawn with 3 only
    }

    [Fact]
    public void Power_of_two_is_reproducible_from_its_seed()
    {
        EngineView[] engines = [View(0, 5), View(1, 5), View(2, 5), View(3, 5)];
        int[] Run(int seed)
        {
            var selector = new PowerOfTwoSelector(seed);
            return Enumerable.Range(0, 30).Select(_ => selector.Route(default, engines, 0)).ToArray();
        }
        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }
}
