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
        .Add(VllmDataParallelSelector.PolicyName, o =>
        {
            o.RejectUnknownKeys("rule");
            return o.GetString("rule", "classic") switch
            {
                "classic" => new VllmDataParallelSelector(),
                "current" => new VllmDataParallelSelector(currentRule: true),
                var other => throw new PolicyConfigurationException($"{o.Section}.rule: '{other}' is not a vllm-dp rule; use classic or current."),
            };
        })
        .Add(LeastLoadSelector.PolicyName, o => { o.RejectUnknownKeys(); return new LeastLoadSelector(); })
        .Add(PowerOfTwoSelector.PolicyName, o => { o.RejectUnknownKeys("seed"); return new PowerOfTwoSelector(o.GetInt("seed", 0)); })
        .Add(PressureAwareSelector.PolicyName, o =>
        {
            o.RejectUnknownKeys("w_kv", "w_prefill", "w_queue", "w_pressure", "prefill_scale_tokens", "theta_kv");
            return new PressureAwareSelector(o.GetDouble("w_kv", 1, 0), o.GetDouble("w_prefill", 1, 0), o.GetDouble("w_queue", 0.5, 0),
                o.GetDouble("w_pressure", 0.5, 0), o.GetDouble("prefill_scale_tokens", 8192, 1), o.GetDouble("theta_kv", 0.9, 0, 1));
        })
        .Add(LlmdWeightedScorers.PolicyName, o =>
        {
            o.RejectUnknownKeys("queue_weight", "kv_weight", "prefix_weight", "index_capacity_blocks");
            return new LlmdWeightedScorers(o.GetInt("index_capacity_blocks", 1 << 20, min: 1),
                o.GetDouble("queue_weight", 2, 0), o.GetDouble("kv_weight", 2, 0), o.GetDouble("prefix_weight", 3, 0));
        })
        .Add(GimbalCascadeSelector.PolicyName, o =>
        {
            o.RejectUnknownKeys("theta_kv", "theta_diff", "theta_load", "sticky_ttl_s", "max_signal_age_s", "default");
            var fallback = o.GetString("default", RoundRobinSelector.PolicyName) switch
            {
                RoundRobinSelector.PolicyName => (IEngineSelector)new RoundRobinSelector(),
                VllmDataParallelSelector.PolicyName => new VllmDataParallelSelector(),
                var other => throw new PolicyConfigurationException($"{o.Section}.default: '{other}' is not a default path of gimbal; use round-robin or vllm-dp."),
            };
            return new GimbalCascadeSelector(fallback,
                o.GetDouble("theta_kv", 0.9, 0, 1), o.GetDouble("theta_diff", 0.10, 0, 1), o.GetDouble("theta_load", 3000, 0),
                o.GetDouble("sticky_ttl_s", 300, 0), o.GetDouble("max_signal_age_s", 1.0, 0));
        });
}
