using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;

namespace Strata.Core.Tests.Dispatch;

public class PrefixPressureSelectorTests
{
    private static EngineView View(int index, long waitingPrefill = 0) => new(index, 0, 0, 0.2, waitingPrefill, 0, 0);

    private static readonly ulong[] Prompt = Enumerable.Range(1, 100).Select(b => (ulong)b).ToArray(); // 1,600 tokens

    private static PrefixPressureSelector Holding(int engine, int blocks, double cacheWeight)
    {
        var selector = new PrefixPressureSelector(new PressureWeights(), new PrefixAffinity(PrefixIndexMode.Precise), cacheWeight);
        selector.Affinity.OnBlocksStored(engine, Prompt.AsSpan(0, blocks));
        return selector;
    }

    [Fact]
    public void A_cached_prefix_wins_while_it_saves_more_prefill_than_the_backlog_it_sits_behind()
    {
        var request = new DispatchRequest(1, 1600, BlockHashes: Prompt);
        // Engine 0 caches 1,000 tokens (62 blocks = 992) and has 900 more pending than engine 1: stay.
        Assert.Equal(0, Holding(0, 62, cacheWeight: 1).Route(request, [View(0, 900), View(1, 0)], 0));
        // 1,100 more pending outweighs 992 cached tokens at weight 1, not at weight 8.
        Assert.Equal(1, Holding(0, 62, cacheWeight: 1).Route(request, [View(0, 1100), View(1, 0)], 0));
        Assert.Equal(0, Holding(0, 62, cacheWeight: 8).Route(request, [View(0, 1100), View(1, 0)], 0));
    }

    [Fact]
    public void Without_a_cached_prefix_it_decides_exactly_as_gimbal_pressure()
    {
        var random = new Random(5);
        var plain = new PressureAwareSelector(new PressureWeights());
        var prefix = new PrefixPressureSelector(new PressureWeights(), new PrefixAffinity(PrefixIndexMode.Precise));
        for (var round = 0; round < 200; round++)
        {
            var engines = Enumerable.Range(0, 4).Select(i => View(i, random.Next(0, 5000))).ToArray();
            var request = new DispatchRequest(round, 1600, BlockHashes: Prompt);
            Assert.Equal(plain.Route(request, engines, round), prefix.Route(request, engines, round));
        }
    }
}
