using Strata.Core.Dispatch;

namespace Strata.Core.Tests.Dispatch;

public class EngineScanTests
{
    private readonly struct ByWaiting : IEngineOrder
    {
        public bool Eligible(ReadOnlySpan<EngineView> engines, int i) => engines[i].KvUsage < 0.9;

        public double Score(ReadOnlySpan<EngineView> engines, int i) => engines[i].Waiting;

        public int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b) => 0;
    }

    private static EngineView View(int index, int waiting, double kv = 0, bool healthy = true) => new(index, waiting, 0, kv, 0, 0, 0, Healthy: healthy);

    [Fact]
    public void Best_skips_unhealthy_and_ineligible_engines_and_gives_ties_to_the_first_scanned()
    {
        EngineView[] engines = [View(0, 1, healthy: false), View(1, 2), View(2, 1, kv: 0.95), View(3, 2), View(4, 3)];

        Assert.Equal(1, EngineScan.Best(engines, new ByWaiting()));
        Assert.Equal(3, EngineScan.Best(engines, new ByWaiting(), start: 2));
        Assert.Equal(-1, EngineScan.Best([View(0, 1, healthy: false), View(1, 1, kv: 0.95)], new ByWaiting()));
    }

    [Fact]
    public void Random_ties_spread_evenly_over_the_tied_engines_only_and_hold_until_the_decision_advances()
    {
        EngineView[] engines = [View(0, 2), View(1, 1), View(2, 5), View(3, 1), View(4, 1)];
        var random = new DecisionRandom(seed: 3);
        var counts = new int[engines.Length];
        for (var decision = 0; decision < 3000; decision++)
        {
            var pick = EngineScan.Best(engines, new ByWaiting(), ties: random);
            Assert.Equal(pick, EngineScan.Best(engines, new ByWaiting(), ties: random));
            counts[pick]++;
            random.Advance();
        }

        Assert.Equal(0, counts[0] + counts[2]);
        foreach (var tied in new[] { 1, 3, 4 }) Assert.InRange(counts[tied], 900, 1100);
    }
}
