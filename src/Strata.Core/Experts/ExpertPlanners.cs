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
        });

    private static EplbMode Mode(PolicyOptions options) => options.GetString("mode", "auto") switch
    {
        "auto" => EplbMode.Auto,
        "hierarchical" => EplbMode.Hierarchical,
        "global" => EplbMode.Global,
        var other => throw new PolicyConfigurationException($"{options.Section}.mode: '{other}' is not an EPLB mode; use auto, hierarchical or global."),
    };
}
