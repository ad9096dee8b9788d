using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Engine.Moe;

namespace Strata.Engine.Tests.Moe;

public class ExpertTimeMemoTests
{
    /// <summary>A time that names its arguments, so an answer given for the wrong key shows.</summary>
    private static double Time(double pairs, double distinct) => pairs * 1_000 + distinct + 0.25;

    [Property(MaxTest = 200)]
    public Property Every_answer_is_the_time_of_its_own_counts() =>
        // Far more keys (100,001 × 257) than the table's 16 Ki slots, so slots are shared and overwritten.
        Prop.ForAll(Gen.Zip(Gen.Choose(0, 100_000), Gen.Choose(0, 256)).ListOf().ToArbitrary(), keys =>
        {
            var memo = new ExpertTimeMemo(Time);
            return keys.Concat(keys).All(k => memo.Seconds(k.Item1, k.Item2) == Time(k.Item1, k.Item2));
        });

    [Fact]
    public void A_repeated_count_is_computed_once()
    {
        var calls = 0;
        var memo = new ExpertTimeMemo((pairs, distinct) => { calls++; return Time(pairs, distinct); });

        for (var i = 0; i < 10; i++) Assert.Equal(Time(640, 48), memo.Seconds(640, 48));

        Assert.Equal(1, calls);
    }
}
