using Strata.Engine.Moe;

namespace Strata.Engine.Tests.Moe;

public class RoutingModelTests
{
    private static double Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var la = a.ToArray().Select(v => Math.Log(v)).ToArray();
        var lb = b.ToArray().Select(v => Math.Log(v)).ToArray();
        double ma = la.Average(), mb = lb.Average();
        var cov = la.Zip(lb, (x, y) => (x - ma) * (y - mb)).Sum();
        return cov / Math.Sqrt(la.Sum(x => (x - ma) * (x - ma)) * lb.Sum(y => (y - mb) * (y - mb)));
    }

    [Fact]
    public void Pick_rates_sum_to_top_k_and_never_exceed_one()
    {
        var routing = new RoutingModel(layers: 4, experts: 64, topK: 8, domains: 3, skew: 2.0, correlation: 0.1, layerAffinity: 0.1, seed: 1);
        for (var d = 0; d < 3; d++)
            for (var layer = 0; layer < 4; layer++)
            {
                var q = routing.PerToken(d, layer);
                Assert.Equal(8, q.ToArray().Sum(), 9);
                Assert.All(q.ToArray(), v => Assert.InRange(v, 0, 1));
            }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void Domain_preferences_correlate_as_configured(double rho)
    {
        var routing = new RoutingModel(1, 512, 8, 2, skew: 0.8, correlation: rho, layerAffinity: 0, seed: 3);
        Assert.InRange(Correlation(routing.PerToken(0, 0), routing.PerToken(1, 0)), rho - 0.15, rho + 0.15);
    }

    [Fact]
    public void Drift_moves_popularity_but_keeps_its_skew()
    {
        var routing = new RoutingModel(1, 512, 8, 1, skew: 0.8, correlation: 1, layerAffinity: 0, seed: 5);
        var before = routing.PerToken(0, 0).ToArray();
        static double Spread(double[] q) => Math.Sqrt(q.Select(v => Math.Log(v)).Select(l => l * l).Average() - Math.Pow(q.Select(v => Math.Log(v)).Average(), 2));
        for (var epoch = 0; epoch < 20; epoch++) routing.Drift(0.9);
        var after = routing.PerToken(0, 0).ToArray();
        Assert.InRange(Correlation(before, after), -0.5, 0.6);
        Assert.InRange(Spread(after) / Spread(before), 0.8, 1.25);
    }

    [Fact]
    public void Transitions_follow_the_affinity_sets()
    {
        var routing = new RoutingModel(2, 16, 2, 1, skew: 0, correlation: 1, layerAffinity: 0.5, seed: 2);
        var counts = Enumerable.Range(0, 16).Select(_ => new double[16]).ToArray();
        routing.AddTransitions(0, 0, 1000, counts);
        // Every pick of layer 0 (1000 tokens × top-2) is spread over the next layer.
        Assert.Equal(1000 * 2.0, counts.Sum(row => row.Sum()) , 6);
        // With uniform popularity, each row puts half its mass on its 2 affinity experts.
        var row0 = counts[0];
        Assert.Equal(2, row0.Count(v => v > row0.Min() + 1e-9));
    }
}
