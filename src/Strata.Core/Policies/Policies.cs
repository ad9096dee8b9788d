using Strata.Core.Dispatch;
using Strata.Core.Queueing;

namespace Strata.Core.Policies;

/// <summary>Every request-level and engine-level policy Strata knows, by name.</summary>
public static class Policies
{
    public static PolicyCatalog<IQueuePolicy> Queue { get; } = new PolicyCatalog<IQueuePolicy>("queue policy")
        .Add(FirstComeFirstServed.PolicyName, o => { o.RejectUnknownKeys(); return new FirstComeFirstServed(); })
        .Add(PriorityScheduling.PolicyName, o => { o.RejectUnknownKeys(); return new PriorityScheduling(); })
        .Add(AgingShortestPrefillFirst.PolicyName, o =>
        {
            o.RejectUnknownKeys("theta_age_s");
            return new AgingShortestPrefillFirst(o.GetDouble("theta_age_s", AgingShortestPrefillFirst.DefaultThetaAgeSeconds, min: 0));
        })
        .Add(AgingShortestPrefillFirst.UncachedPolicyName, o =>
        {
            o.RejectUnknownKeys("theta_age_s");
            return new AgingShortestPrefillFirst(o.GetDouble("theta_age_s", AgingShortestPrefillFirst.DefaultThetaAgeSeconds, min: 0), uncached: true);
        })
        .Add(ContinuousAgingShortestPrefillFirst.PolicyName, o =>
        {
            o.RejectUnknownKeys("aging_tokens_per_s");
            return new ContinuousAgingShortestPrefillFirst(o.GetDouble("aging_tokens_per_s", ContinuousAgingShortestPrefillFirst.DefaultAgingTokensPerSecond, min: 0));
        })
        .Add(WeightedShortestProcessingTime.PolicyName, o => { o.RejectUnknownKeys(); return new WeightedShortestProcessingTime(); })
        .Add(VllmShortestJobFirst.PolicyName, o => { o.RejectUnknownKeys(); return new VllmShortestJobFirst(); })
        .Add(DeficitRoundRobinFairness.PolicyName, o =>
        {
            o.RejectUnknownKeys("quantum_tokens");
            return new DeficitRoundRobinFairness(o.GetInt("quantum_tokens", DeficitRoundRobinFairness.DefaultQuantumTokens, min: 1));
        });

    public static PolicyCatalog<IEngineSelector> Dispatch { get; } = new PolicyCatalog<IEngineSelector>("dispatch policy")
        .Add(RoundRobinSelector.PolicyName, o => { o.RejectUnknownKeys(); return new RoundRobinSelector(); })
        .Add(VllmDataParallelSelector.PolicyName, VllmDataParallelSelector.FromOptions)
        .Add(LeastLoadSelector.PolicyName, LeastLoadSelector.FromOptions)
        .Add(PowerOfTwoSelector.PolicyName, PowerOfTwoSelector.FromOptions)
        .Add(GimbalCascadeSelector.PolicyName, GimbalCascadeSelector.FromOptions)
        .Add(PressureAwareSelector.PolicyName, PressureAwareSelector.FromOptions)
        .Add(PrefixPressureSelector.PolicyName, PrefixPressureSelector.FromOptions)
        .Add(StickySessionSelector.PolicyName, o => StickySessionSelector.FromOptions(o, inner => CreateInnerDispatch(inner, o)))
        .Add(LlmdWeightedScorerSelector.PolicyName, LlmdWeightedScorerSelector.FromOptions)
        .Add(SglangCacheAwareSelector.PolicyName, SglangCacheAwareSelector.FromOptions)
        .Add(DynamoKvCostSelector.PolicyName, DynamoKvCostSelector.FromOptions);

    private static IEngineSelector CreateInnerDispatch(string name, PolicyOptions outer) =>
        Dispatch.Create(new PolicyOptions(name, section: outer.Section + ".inner"));
}
