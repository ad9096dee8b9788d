using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Simulation.Workloads;

namespace Strata.Simulation.Tests.Workloads;

public class ArrivalProcessTests
{
    [Theory]
    [InlineData(1.4)]
    [InlineData(20.0)]
    public void Poisson_gaps_average_one_over_the_rate_and_are_exponential(double rate)
    {
        var gaps = Gaps(new ArrivalProcess(rate).Times(20_000, new Random(1)));

        Assert.Equal(1 / rate, gaps.Average(), 1 / rate * 0.001);
        // An exponential has CV 1 and P(gap > mean) = e^-1.
        Assert.InRange(CoefficientOfVariation(gaps), 0.95, 1.05);
        Assert.InRange(gaps.Count(g => g > 1 / rate) / (double)gaps.Length, 0.35, 0.39);
    }

    [Theory]
    [InlineData(0.25, 2.0)]
    [InlineData(0.5, 1.4142)]
    [InlineData(4.0, 0.5)]
    [InlineData(16.0, 0.25)]
    public void Burstiness_sets_the_coefficient_of_variation_to_one_over_its_root(double burstiness, double expectedCv)
    {
        var gaps = Gaps(new ArrivalProcess(2.0, burstiness).Times(40_000, new Random(7)));

        Assert.InRange(CoefficientOfVariation(gaps), expectedCv * 0.93, expectedCv * 1.07);
        Assert.Equal(0.5, gaps.Average(), 0.001);
    }

    [Fact]
    public void Infinite_burstiness_sends_at_a_constant_pace()
    {
        var times = new ArrivalProcess(4.0, double.PositiveInfinity).Times(8, new Random(3));

        Assert.Equal([0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0], times.Select(t => Math.Round(t, 9)));
    }

    [Property(MaxTest = 200)]
    public Property Sends_are_ordered_and_the_last_is_at_n_over_rate() =>
        Prop.ForAll(
            Gen.Choose(1, 300).ToArbitrary(),
            Gen.Elements(0.1, 0.5, 1.0, 1.4, 3.0, 50.0).ToArbitrary(),
            Gen.Elements(0.05, 0.3, 1.0, 2.5, 100.0).ToArbitrary(),
            (count, rate, burstiness) =>
            {
                var times = new ArrivalProcess(rate, burstiness).Times(count, new Random(count));
                return times[0] > 0
                    && times.Zip(times.Skip(1)).All(p => p.First <= p.Second)
                    && Math.Abs(times[^1] - count / rate) < 1e-9 * count / rate;
            });

    [Fact]
    public void Same_seed_gives_the_same_times()
    {
        var process = new ArrivalProcess(1.4, 0.5);
        Assert.Equal(process.Times(500, new Random(42)), process.Times(500, new Random(42)));
        Assert.NotEqual(process.Times(500, new Random(42)), process.Times(500, new Random(43)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_rate_that_is_not_positive_and_finite_names_the_rate_option(double rate)
    {
        var error = Assert.Throws<WorkloadException>(() => new ArrivalProcess(rate));
        Assert.Contains("--rate", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void A_burstiness_that_is_not_positive_names_the_burstiness_option(double burstiness)
    {
        var error = Assert.Throws<WorkloadException>(() => new ArrivalProcess(1.0, burstiness));
        Assert.Contains("--burstiness", error.Message);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void Gamma_samples_have_the_mean_and_variance_of_their_shape(double shape)
    {
        var random = new Random(11);
        var samples = Enumerable.Range(0, 50_000).Select(_ => GammaSampler.Gamma(random, shape, 2.0)).ToArray();
        var mean = samples.Average();
        var variance = samples.Average(x => (x - mean) * (x - mean));

        Assert.InRange(mean, 2.0 * shape * 0.97, 2.0 * shape * 1.03);
        Assert.InRange(variance, 4.0 * shape * 0.92, 4.0 * shape * 1.08);
        Assert.All(samples, x => Assert.True(x > 0));
    }

    private static double[] Gaps(double[] times) => times.Select((t, i) => i == 0 ? t : t - times[i - 1]).ToArray();

    private static double CoefficientOfVariation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean))) / mean;
    }
}
