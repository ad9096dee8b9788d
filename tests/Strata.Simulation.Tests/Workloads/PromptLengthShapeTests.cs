using Strata.Simulation.Workloads;

namespace Strata.Simulation.Tests.Workloads;

public class PromptLengthShapeTests
{
    private const int Samples = 20_000;

    public static TheoryData<string> Shapes() => [.. PromptLengthShape.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sampled_lengths_fill_each_bucket_as_the_shape_says(string name)
    {
        var shape = PromptLengthShape.All.Single(s => s.Name == name);
        var random = new Random(5);
        var histogram = shape.Histogram(random);
        var counts = new int[shape.Buckets];
        var offsets = new double[shape.Buckets];
        for (var i = 0; i < Samples; i++)
        {
            var tokens = histogram.Sample(random);
            Assert.InRange(tokens, 1, shape.Buckets * PromptLengthShape.BucketTokens - 1);
            counts[tokens / PromptLengthShape.BucketTokens]++;
            offsets[tokens / PromptLengthShape.BucketTokens] += tokens % PromptLengthShape.BucketTokens;
        }

        Assert.Equal(1.0, histogram.Probabilities.Sum(), 9);
        for (var b = 0; b < shape.Buckets; b++)
        {
            var expected = Samples * histogram.Probabilities[b];
            // Five binomial standard deviations, plus a little for the tiniest buckets.
            Assert.InRange(counts[b], expected - 5 * Math.Sqrt(expected) - 3, expected + 5 * Math.Sqrt(expected) + 3);
            // Uniform within a bucket: the mean offset is near the middle.
            if (counts[b] > 500) Assert.InRange(offsets[b] / counts[b], 470, 530);
        }
    }

    [Fact]
    public void Central_peaks_mid_range_and_falls_off_both_ways()
    {
        var p = PromptLengthShape.Central.Histogram(new Random(1)).Probabilities;

        Assert.Equal(5, IndexOfMax(p));
        Assert.InRange(p[5], 0.25, 0.30);
        Assert.True(p[0] < 0.01 && p[9] < 0.05);
        for (var i = 1; i <= 5; i++) Assert.True(p[i] > p[i - 1]);
        for (var i = 6; i < 10; i++) Assert.True(p[i] < p[i - 1]);
    }

    [Fact]
    public void Descending_puts_most_requests_in_the_shortest_bucket()
    {
        var p = PromptLengthShape.Descending.Histogram(new Random(1)).Probabilities;

        Assert.InRange(p[0], 0.40, 0.50);
        for (var i = 1; i < p.Count; i++) Assert.True(p[i] < p[i - 1]);
        Assert.True(p.Take(3).Sum() > 0.8);
    }

    [Fact]
    public void Two_end_is_high_at_both_ends_and_low_in_the_middle()
    {
        var p = PromptLengthShape.TwoEnd.Histogram(new Random(1)).Probabilities;

        Assert.Equal(11, p.Count);
        Assert.InRange(p[0], 0.2, 0.3);
        Assert.Equal(p[0], p[10], 9);
        Assert.True(p[5] < 0.02);
    }

    [Fact]
    public void Average_is_flat_over_eleven_buckets()
    {
        var p = PromptLengthShape.Average.Histogram(new Random(1)).Probabilities;

        Assert.Equal(11, p.Count);
        Assert.All(p, x => Assert.Equal(1.0 / 11, x, 12));
    }

    [Fact]
    public void Random_draws_an_irregular_shape_per_seed_within_half_to_one_and_a_half_of_flat()
    {
        var first = PromptLengthShape.Random.Histogram(new Random(1)).Probabilities;
        var second = PromptLengthShape.Random.Histogram(new Random(2)).Probabilities;

        Assert.NotEqual(first, second);
        // Weights from U[0.5, 1.5]: no bucket is more than three times another.
        Assert.All([first, second], p => Assert.True(p.Max() / p.Min() <= 3.0));
        Assert.True(first.Max() - first.Min() > 0.02);
    }

    [Fact]
    public void Output_lengths_are_bounded_and_centred_like_a_chat_service()
    {
        var random = new Random(9);
        var outputs = Enumerable.Range(0, 20_000).Select(_ => BurstGptOutputLengths.Sample(random)).Order().ToArray();

        Assert.InRange(outputs[0], 1, 20);
        Assert.InRange(outputs[^1], 1500, BurstGptOutputLengths.Max);
        Assert.InRange(outputs[outputs.Length / 2], 190, 210);
        Assert.InRange(outputs.Average(), 270, 330);
    }

    private static int IndexOfMax(IReadOnlyList<double> values) => values.Select((v, i) => (v, i)).MaxBy(x => x.v).i;
}
