using Strata.Core.Policies;

namespace Strata.Core.Experts;

/// <summary>Every expert planner Strata knows, by the name used in <c>experts: {planner: ...}</c>.</summary>
public static class ExpertPlanners
{
    public static PolicyCatalog<IExpertPlanner> Catalog { get; } = new PolicyCatalog<IExpertPlanner>("expert planner")
        .Add(ContiguousPlanner.PolicyName, o => { o.RejectUnknownKeys(); return new ContiguousPlanner(); })
        .Add(EplbPlanner.PolicyName, o => { o.RejectUnknownKeys("mode"); return new EplbPlanner(Mode(o)); })
        .Add(BalancedPlanner.PolicyName, o =>
        {
            o.RejectUnknownKeys("mode", "iterations_per_slot", "seed");
            return new BalancedPlanner(o.GetInt("iterations_per_slot", BalancedPlanner.DefaultIterationsPerSlot, min: 0), o.GetInt("seed", 0), Mode(o));
        })
        .Add(GimbalAnchorPlanner.PolicyName, o =>
        {
            o.RejectUnknownKeys("anchor", "top_pairs", "min_transitions");
            return new GimbalAnchorPlanner(
                o.GetInt("anchor", 0, min: 0),
                o.GetInt("top_pairs", GimbalAnchorPlanner.DefaultTopPairs, min: 0),
                o.GetDouble("min_transitions", 0, min: 0));
        })
        .Add(GimbalMinlpPlanner.PolicyName, o => GimbalMinlp(o, exactSolver: null));

    /// <summary>
    /// <c>gimbal-minlp</c> from its options. Strata.Core has no exact solver (it depends on the BCL only), so
    /// the catalog's instance runs the local search on every layer; Strata.Experts.Solver passes its CP-SAT
    /// solver here (built from <c>time_limit_s</c> and <c>seed</c>) to solve layers of at most
    /// <c>exact_max_experts</c> experts exactly.
    /// </summary>
    public static GimbalMinlpPlanner GimbalMinlp(PolicyOptions options, Func<TimeSpan, int, IMinlpLayerSolver>? exactSolver)
    {
        options.RejectUnknownKeys("alpha", "beta", "gamma", "time_limit_s", "exact_max_experts", "seed");
        var objective = new MinlpObjective(
            options.GetDouble("alpha", MinlpObjective.DefaultAlpha, min: 0),
            options.GetDouble("beta", MinlpObjective.DefaultBeta, min: 0),
            options.GetDouble("gamma", MinlpObjective.DefaultGamma, min: 0));
        var timeLimit = TimeSpan.FromSeconds(options.GetDouble("time_limit_s", GimbalMinlpPlanner.DefaultTimeLimitSeconds, min: 0.001, max: 3600));
        var seed = options.GetInt("seed", 0);
        var exactMaxExperts = options.GetInt("exact_max_experts", GimbalMinlpPlanner.DefaultExactMaxExperts, min: 0);
        return new GimbalMinlpPlanner(objective, seed, exactSolver?.Invoke(timeLimit, seed), exactMaxExperts);
    }

    private static EplbMode Mode(PolicyOptions options) => options.GetString("mode", "auto") switch
    {
        "auto" => EplbMode.Auto,
        "hierarchical" => EplbMode.Hierarchical,
        "global" => EplbMode.Global,
        var other => throw new PolicyConfigurationException($"{options.Section}.mode: '{other}' is not an EPLB mode; use auto, hierarchical or global."),
    };
}
