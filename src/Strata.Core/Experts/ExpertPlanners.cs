using Strata.Core.Policies;

namespace Strata.Core.Experts;

/// <summary>Every expert planner Strata knows, by the name used in <c>experts: {planner: ...}</c>.</summary>
public static class ExpertPlanners
{
    /// <summary>
    /// The planners Strata.Core can build alone: its <c>gimbal-minlp</c> runs the local search on every layer
    /// (Core depends on the BCL only, so it has no exact solver). Strata.Experts.Solver's catalog adds CP-SAT.
    /// </summary>
    public static PolicyCatalog<IExpertPlanner> Catalog { get; } = Create(exactSolver: null);

    /// <summary>
    /// Every planner, with <c>gimbal-minlp</c> solving small layers with <paramref name="exactSolver"/> (built
    /// from <c>time_limit_s</c> per layer and <c>seed</c>) when one is given. Without one, the exact-solver
    /// options are rejected rather than silently ignored.
    /// </summary>
    public static PolicyCatalog<IExpertPlanner> Create(Func<TimeSpan, int, IMinlpLayerSolver>? exactSolver) => new PolicyCatalog<IExpertPlanner>("expert planner")
        .Add(ContiguousPlanner.PolicyName, o => { o.RejectUnknownKeys(); return new ContiguousPlanner(); })
        .Add(EplbPlanner.PolicyName, o => { o.RejectUnknownKeys("mode"); return new EplbPlanner(Mode(o)); })
        .Add(BalancedPlanner.PolicyName, o =>
        {
            o.RejectUnknownKeys("mode", "iterations_per_slot", "seed");
            return new BalancedPlanner(o.GetInt("iterations_per_slot", BalancedPlanner.DefaultIterationsPerSlot, min: 0), o.GetInt("seed", 0), Mode(o));
        })
        .Add(ClassBalancedPlanner.PolicyName, o =>
        {
            o.RejectUnknownKeys("max_passes");
            return new ClassBalancedPlanner(o.GetInt("max_passes", ClassBalancedPlanner.DefaultMaxPasses, min: 0));
        })
        .Add(GimbalAnchorPlanner.PolicyName, o =>
        {
            o.RejectUnknownKeys("anchor", "top_pairs", "min_transitions");
            return new GimbalAnchorPlanner(
                o.GetInt("anchor", 0, min: 0),
                o.GetInt("top_pairs", GimbalAnchorPlanner.DefaultTopPairs, min: 0),
                o.GetDouble("min_transitions", 0, min: 0));
        })
        .Add(GimbalMinlpPlanner.PolicyName, o => GimbalMinlp(o, exactSolver));

    private static GimbalMinlpPlanner GimbalMinlp(PolicyOptions options, Func<TimeSpan, int, IMinlpLayerSolver>? exactSolver)
    {
        if (exactSolver is null) options.RejectUnknownKeys("alpha", "beta", "gamma", "seed");
        else options.RejectUnknownKeys("alpha", "beta", "gamma", "seed", "time_limit_s", "exact_max_size");
        var objective = new MinlpObjective(
            options.GetDouble("alpha", MinlpObjective.DefaultAlpha, min: 0),
            options.GetDouble("beta", MinlpObjective.DefaultBeta, min: 0),
            options.GetDouble("gamma", MinlpObjective.DefaultGamma, min: 0));
        var seed = options.GetInt("seed", 0);
        if (exactSolver is null) return new GimbalMinlpPlanner(objective, seed);
        var timeLimit = TimeSpan.FromSeconds(options.GetDouble("time_limit_s", GimbalMinlpPlanner.DefaultTimeLimitSeconds, min: 0.001, max: 3600));
        var exactMaxSize = options.GetInt("exact_max_size", GimbalMinlpPlanner.DefaultExactMaxSize, min: 0);
        return new GimbalMinlpPlanner(objective, seed, exactSolver(timeLimit, seed), exactMaxSize);
    }

    private static EplbMode Mode(PolicyOptions options) => options.GetString("mode", "auto") switch
    {
        "auto" => EplbMode.Auto,
        "hierarchical" => EplbMode.Hierarchical,
        "global" => EplbMode.Global,
        var other => throw new PolicyConfigurationException($"{options.Section}.mode: '{other}' is not an EPLB mode; use auto, hierarchical or global."),
    };
}
