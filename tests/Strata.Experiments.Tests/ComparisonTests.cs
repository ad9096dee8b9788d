using Strata.Experiments.Reports;
using Strata.Experiments.Stacks;

namespace Strata.Experiments.Tests;

public sealed class ComparisonTests
{
    private static readonly PolicyStack Gimbal = PolicyStacks.Find("gimbal");
    private static readonly PolicyStack Strata = PolicyStacks.Strata;

    [Fact]
    public void Reductions_are_positive_when_better_and_averaged_over_seeds()
    {
        var comparison = new Comparison(Outcomes.Grid(PolicyStacks.Baseline, Gimbal),
        [
            Outcomes.Of(PolicyStacks.Baseline, 1000, 4000, 100, 1.0, seed: 0),
            Outcomes.Of(PolicyStacks.Baseline, 1000, 4000, 100, 1.0, seed: 1),
            Outcomes.Of(Gimbal, 700, 4000, 90, 1.02, seed: 0),
            Outcomes.Of(Gimbal, 900, 4000, 90, 1.02, seed: 1),
        ]);

        var overall = comparison.Overall("gimbal");

        Assert.Equal(0.2, overall.MeanTtft, 9);   // 800 vs 1000
        Assert.Equal(0.0, overall.P99Ttft, 9);
        Assert.Equal(0.1, overall.MeanTpot, 9);
        Assert.Equal(0.02, overall.Throughput, 9);
        Assert.Equal("−20.0%", ReductionTables.Format(overall.MeanTtft, 0));
        Assert.Equal("+2.0%", ReductionTables.Format(overall.Throughput, 3));
    }

    [Fact]
    public void A_run_more_than_two_percent_worse_than_the_baseline_on_its_seed_is_flagged()
    {
        var comparison = new Comparison(Outcomes.Grid(PolicyStacks.Baseline, Gimbal, Strata),
        [
            Outcomes.Of(PolicyStacks.Baseline, 1000, 4000, 100, 1.0),
            Outcomes.Of(Gimbal, 1010, 4200, 100, 1.0),  // +1% TTFT: within tolerance; +5% p99: flagged
            Outcomes.Of(Strata, 900, 3000, 90, 0.97),    // −3% throughput: flagged
        ]);

        Assert.Equal(2, comparison.Flags.Count);
        Assert.Equal(["p99 TTFT"], comparison.Flags.Single(f => f.Run.Stack == Gimbal).WorseOn);
        Assert.Equal(["throughput"], comparison.Flags.Single(f => f.Run.Stack == Strata).WorseOn);
    }

    [Fact]
    public void The_best_value_of_each_column_is_marked_and_only_it()
    {
        var comparison = new Comparison(Outcomes.Grid(PolicyStacks.Baseline, Gimbal, Strata),
        [
            Outcomes.Of(PolicyStacks.Baseline, 1000, 4000, 100, 1.0),
            Outcomes.Of(Gimbal, 800, 3500, 95, 1.0),
            Outcomes.Of(Strata, 600, 3900, 99, 1.01),
        ]);

        var table = ReductionTables.Overall(comparison, "t");

        Assert.Equal(["gimbal", "−20.0%", "−12.5%" + ReductionTables.Best, "−5.0%" + ReductionTables.Best, "0.0%"], table.Rows[0]);
        Assert.Equal(["strata", "−40.0%" + ReductionTables.Best, "−2.5%", "−1.0%", "+1.0%" + ReductionTables.Best], table.Rows[1]);
    }
}
