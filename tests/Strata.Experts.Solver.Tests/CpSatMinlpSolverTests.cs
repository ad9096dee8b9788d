using Strata.Core.Experts;
using Strata.Core.Policies;
using Xunit.Abstractions;

namespace Strata.Experts.Solver.Tests;

public class CpSatMinlpSolverTests(ITestOutputHelper output)
{
    /// <summary>How far above the proven optimum the local search may land on small instances (measured mean gap is printed).</summary>
    private const double GapTolerance = 0.15;

    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(2);

    [Fact]
    public void Local_search_lands_within_the_tolerance_of_the_proven_optimum()
    {
        var random = new Random(42);
        var gaps = new List<double>();
        for (var instance = 0; instance < 40; instance++)
        {
            var ranks = random.Next(2, 5);
            var slotsPerRank = random.Next(1, 4);
            var experts = random.Next(slotsPerRank, Math.Min(8, ranks * slotsPerRank) + 1);
            var shape = new PlacementShape(ranks, ranks * slotsPerRank);
            var load = RandomLoad(random, experts, ranks);
            var current = random.Next(2) == 0 ? new EplbPlanner().Plan(RandomLoad(random, experts, ranks), shape, null) : null;
            var objective = new MinlpObjective();

            var local = new GimbalMinlpPlanner(objective, seed: instance).Plan(load, shape, current);
            var layer = MinlpLayer.Create(load, ranks, slotsPerRank, current, 0, objective);
            // Started from the round-robin row, not from the local search, so the comparison is not rigged.
            var roundRobin = Enumerable.Range(0, shape.PhysicalSlots).Select(slot => slot % experts).ToArray();
            var (exactRow, optimal) = new CpSatMinlpSolver(TimeLimit, seed: instance).Solve(layer, roundRobin);

            var localValue = layer.Terms(local.PhysicalToLogical(0)).Total;
            var exactValue = layer.Terms(exactRow).Total;
            Assert.True(optimal, $"instance {instance}: CP-SAT did not prove optimality within {TimeLimit}");
            Assert.True(exactValue <= localValue + 1e-9, $"instance {instance}: exact {exactValue} above local search {localValue}");
            Assert.True(localValue <= exactValue * (1 + GapTolerance), $"instance {instance}: local search {localValue} more than {GapTolerance:P0} above exact {exactValue}");
            gaps.Add(localValue / exactValue - 1);
        }
        output.WriteLine($"local search vs CP-SAT optimum on {gaps.Count} instances: mean gap {gaps.Average():P3}, worst {gaps.Max():P3}, optimal in {gaps.Count(g => g < 1e-9)}");
    }

    [Fact]
    public void Exact_rows_respect_the_constraints_and_beat_a_greedy_hint()
    {
        var random = new Random(7);
        var load = RandomLoad(random, experts: 8, sources: 4);
        var layer = MinlpLayer.Create(load, 4, 3, null, 0, new MinlpObjective());
        var hint = Enumerable.Range(0, 12).Select(slot => slot % 8).ToArray();
        var (row, optimal) = new CpSatMinlpSolver(TimeLimit).Solve(layer, hint);

        Assert.True(optimal);
        var sets = row.Chunk(3).ToArray();
        Assert.All(sets, set => Assert.Equal(3, set.Distinct().Count()));
        Assert.Equal(Enumerable.Range(0, 8), row.Distinct().Order());
        Assert.True(layer.Terms(row).Total < layer.Terms(hint).Total);
    }

    [Fact]
    public void The_catalog_planner_solves_small_layers_exactly_never_worse_than_local_search_and_reports_how()
    {
        var random = new Random(3);
        var load = RandomLoad(random, experts: 6, sources: 3);
        var shape = new PlacementShape(ranks: 3, physicalSlots: 9);
        var options = new PolicyOptions("gimbal-minlp", new Dictionary<string, string> { ["time_limit_s"] = "1", ["exact_max_size"] = "18", ["seed"] = "1" }, "experts");
        var plan = Assert.IsType<GimbalMinlpPlanner>(ExactExpertPlanners.Catalog.Create(options)).PlanWithReport(load, shape, null);
        var local = ExpertPlanners.Catalog.Create(new PolicyOptions("gimbal-minlp", new Dictionary<string, string> { ["seed"] = "1" }, "experts")).Plan(load, shape, null);
        var objective = new MinlpObjective();

        var report = Assert.Single(plan.Layers);
        Assert.Equal(MinlpMethod.ExactOptimal, report.Method);
        Assert.Equal(objective.Total(local, load, null), report.LocalSearch, 12);
        Assert.Equal(objective.Total(plan.Placement, load, null), report.Objective, 12);
        Assert.True(report.Objective <= report.LocalSearch + 1e-12);
    }

    [Fact]
    public void Layers_above_the_exact_size_are_left_to_the_local_search()
    {
        var load = RandomLoad(new Random(4), experts: 6, sources: 3);
        var options = new PolicyOptions("gimbal-minlp", new Dictionary<string, string> { ["exact_max_size"] = "17" }, "experts");
        var plan = Assert.IsType<GimbalMinlpPlanner>(ExactExpertPlanners.Catalog.Create(options)).PlanWithReport(load, new PlacementShape(3, 9), null);
        var report = Assert.Single(plan.Layers);
        Assert.Equal(MinlpMethod.LocalSearch, report.Method);
        Assert.Equal(report.LocalSearch, report.Objective);
    }

    /// <summary>Lognormal expert popularity, split over sources with a random preference per source.</summary>
    private static ExpertLoad RandomLoad(Random random, int experts, int sources)
    {
        var popularity = Enumerable.Range(0, experts).Select(_ => Math.Exp(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
        var perSource = Enumerable.Range(0, sources).Select(_ => popularity.Select(p => Math.Round(100 * p * random.NextDouble() * random.NextDouble() * 4)).ToArray()).ToArray();
        return ExpertLoad.FromSources([perSource]);
    }
}
