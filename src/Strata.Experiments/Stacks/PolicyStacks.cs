namespace Strata.Experiments.Stacks;

/// <summary>
/// Every stack the evaluation compares (the evaluation of arXiv 2602.21626v1): the vLLM baseline as vLLM runs
/// by default, the two Gimbal papers and their single-layer ablations, the peer routers, and
/// Strata's own stack (docs/results.md says why it is built the way it is).
/// </summary>
public static class PolicyStacks
{
    public const string BaselineName = "vllm";

    public static PolicyStack Baseline { get; } =
        PolicyStack.Of(BaselineName, "fcfs", "vllm-dp", "contiguous", "vLLM defaults: FCFS, DP load balancer, experts in order");

    /// <summary>
    /// Strata's stack (declared before <see cref="All"/>, which lists it), chosen from the
    /// measurements in docs/results.md: shortest-prefill-first whose key decays by 1,000 tokens a
    /// second of waiting (most of SJF's mean-TTFT gain without its p99 blow-up), dispatch on the
    /// prefill work a request would wait behind and still compute on each engine (pending
    /// prefill, KV guard, cache credit), and a placement that balances every traffic class's expert
    /// load on the EP ranks, not only the mix, so that steps of any mix of requests are even.
    /// </summary>
    public static PolicyStack Strata { get; } =
        PolicyStack.Of("strata", "sjf-continuous", "prefix-pressure", "class-balanced",
            "Strata: continuous-aging SJF, prefix- and pressure-aware dispatch, class-balanced placement",
            queueParameters: new Dictionary<string, string> { ["aging_tokens_per_s"] = "1000" });

    public static IReadOnlyList<PolicyStack> All { get; } =
    [
        Baseline,
        PolicyStack.Of("vllm-eplb", "fcfs", "vllm-dp", "eplb", "vLLM with --enable-eplb"),
        PolicyStack.Of("gimbal", "sjf-aging", "gimbal", "gimbal-anchor", "Gimbal P1: Alg. 1 dispatch, Alg. 2 SJF with aging, Alg. 3 EDR"),
        PolicyStack.Of("gimbal-dplb", "fcfs", "gimbal", "contiguous", "P1 ablation: dispatch only (DPLB)"),
        PolicyStack.Of("gimbal-sjfs", "sjf-aging", "vllm-dp", "contiguous", "P1 ablation: queue only (SJFS)"),
        PolicyStack.Of("gimbal-edr", "fcfs", "vllm-dp", "gimbal-anchor", "P1 ablation: experts only (EDR)"),
        PolicyStack.Of("gimbal-p2", "sjf-aging", "gimbal-pressure", "gimbal-minlp", "Gimbal P2: pressure-aware dispatch, SJF, MINLP placement"),
        PolicyStack.Of("gimbal-p2-nofeedback", "sjf-aging", "gimbal-pressure", "gimbal-minlp",
            "P2 without the expert-pressure feedback into dispatch", new Dictionary<string, string> { ["expert_weight"] = "0" }),
        PolicyStack.Of("llmd", "fcfs", "llmd", "contiguous", "llm-d inference scheduler: queue 2, KV 2, prefix 3"),
        PolicyStack.Of("sglang", "fcfs", "sglang-cache-aware", "contiguous", "SGLang router, cache-aware policy"),
        PolicyStack.Of("dynamo", "fcfs", "dynamo-kv", "contiguous", "NVIDIA Dynamo KV router"),
        PolicyStack.Of("strata-experts", "fcfs", "vllm-dp", "class-balanced", "Strata ablation: class-balanced placement only"),
        Strata,
    ];

    public static PolicyStack Find(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"unknown stack '{name}'; use one of {string.Join(", ", All.Select(s => s.Name))}.");
}
