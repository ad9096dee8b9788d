using Strata.Core.Dispatch;
using Strata.Core.Queueing;

namespace Strata.Core.Policies;

/// <summary>Every request-level and engine-level policy Strata knows, by name.</summary>
public static class Policies
{
    public static PolicyCatalog<IQueuePolicy> Queue { get; } = new PolicyCatalog<IQueuePolicy>("queue policy")
        .Add(FirstComeFirstServed.PolicyName, o => { o.RejectUnknownKeys(); return new FirstComeFirstServed(); });

    public static PolicyCatalog<IEngineSelector> Dispatch { get; } = new PolicyCatalog<IEngineSelector>("dispatch policy")
        .Add(RoundRobinSelector.PolicyName, o => { o.RejectUnknownKeys(); return new RoundRobinSelector(); })
        .Add(VllmDataParallelSelector.PolicyName, VllmDataParallelSelector.FromOptions)
        .Add(LeastLoadSelector.PolicyName, LeastLoadSelector.FromOptions)
        .Add(PowerOfTwoSelector.PolicyName, PowerOfTwoSelector.FromOptions)
        .Add(GimbalCascadeSelector.PolicyName, GimbalCascadeSelector.FromOptions)
        .Add(PressureAwareSelector.PolicyName, PressureAwareSelector.FromOptions)
        .Add(StickySessionSelector.PolicyName, o => StickySessionSelector.FromOptions(o, inner => CreateInnerDispatch(inner, o)))
        .Add(LlmdWeightedScorerSelector.PolicyName, LlmdWeightedScorerSelector.FromOptions)
        .Add(SglangCacheAwareSelector.PolicyName, SglangCacheAwareSelector.FromOptions)
        .Add(DynamoKvCostSelector.PolicyName, DynamoKvCostSelector.FromOptions);

    private static IEngineSelector CreateInnerDispatch(string name, PolicyOptions outer) =>
        Dispatch.Create(new PolicyOptions(name, section: outer.Section + ".inner"));
}
