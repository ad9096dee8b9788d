using Strata.Experiments.Grids;
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
    public void A_sections_cells_get_their_own_table_averaged_over_them_only()
    {
        var h100 = ExperimentCell.Preset("gimbal-h100", "random", 4.0);
        var grid = Outcomes.Grid(PolicyStacks.Baseline, Strata) with { Cells = [Outcomes.Cell, h100], Sections = [new("The H100 testbed", "About it.", [h100])] };
        var comparison = new Comparison(grid,
        [
            Outcomes.Of(PolicyStacks.Baseline, 1000, 4000, 100, 1.0),
            Outcomes.Of(Strata, 900, 4000, 100, 1.0),
            Outcomes.Of(PolicyStacks.Baseline, 2000, 8000, 200, 3.0, cell: h100),
            Outcomes.Of(Strata, 1000, 4000, 150, 3.3, cell: h100),
        ]);

        var blocks = ExperimentReport.Build(comparison, "strata experiment").Blocks.ToList();
        var heading = blocks.FindIndex(b => b is ReportBlock.Heading { Text: "The H100 testbed" });
        var table = Assert.IsType<ReportBlock.Table>(blocks.Skip(heading).First(b => b is ReportBlock.Table)).Content;

        Assert.True(heading > 0);
        Assert.Equal(["strata", "−50.0%" + ReductionTables.Best, "−50.0%" + ReductionTables.Best, "−25.0%" + ReductionTables.Best, "+10.0%" + ReductionTables.Best], table.Rows[0]);
        Assert.Equal(0.1, comparison.Overall("strata").MeanTtft, 9);   // the headline cells are not mixed with it
    }

    [Fact]
    public void The_default_grid_reads_the_shipped_traces_and_leaves_nothing_out()
    {
        var grid = ExperimentGrids.Create("full");
        Assert.Empty(grid.LeftOut);
        foreach (var file in new[] { "azure-llm-2023-conv.csv", "mooncake-conversation.jsonl" })
            Assert.Equal(2, grid.Cells.Count(c => c.Label.Contains(Path.GetFileNameWithoutExtension(file), StringComparison.Ordinal)));
    }

    [Fact]
    public void The_default_grid_leads_with_the_measured_testbed_at_its_three_rates()
    {
        var measured = ExperimentGrids.Create("default").Sections[0].Cells;
        Assert.Equal(15, measured.Count);
        Assert.All(measured, cell => Assert.Equal("rtxpro6000-dp2ep2", cell.Cluster));
        Assert.Equal([2.0, 2.5, 3.0], measured.Select(c => c.Rate).Distinct().Order());
    }

    [Fact]
    public void The_default_grid_runs_each_paper_testbed_by_mechanism_and_at_the_papers_load_on_its_fitted_preset()
    {
        var sections = ExperimentGrids.Create("default", tracesDirectory: null).Sections;
        Assert.Equal(["rtxpro6000-dp2ep2", "gimbal-a100", "gimbal-h100", "gimbal-a100-fitted", "gimbal-h100-fitted"],
            sections.Select(s => s.Cells.Select(c => c.Cluster).Distinct().Single()));
        Assert.All(sections, s => Assert.Equal(5, s.Cells.Select(c => c.Label).Distinct().Count()));
        Assert.Equal([2.0, 3.0, 4.0], sections[^1].Cells.Select(c => c.Rate).Distinct().Order());
        Assert.Equal([1.4], sections[^2].Cells.Select(c => c.Rate).Distinct());
        Assert.DoesNotContain(ExperimentGrids.Create("quick", tracesDirectory: null).Cells, c => c.Cluster == "gimbal-h100-fitted");
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
