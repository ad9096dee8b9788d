using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;

namespace Strata.Serving.Gateway.Config;

/// <summary>
/// What the gateway can feed a policy, and the refusal of an option that needs more — so no option is accepted and
/// then silently does nothing. The gateway knows each engine's scraped load (waiting, running, KV use and capacity),
/// its own in-flight requests and their prompts; it does not subscribe to KV events yet, engines report no expert
/// pressure, and a request's prefix-cache hit is known only to the engine that serves it.
/// </summary>
internal static class GatewayInputs
{
    private static readonly string[] PressureScored = [PressureAwareSelector.PolicyName, PrefixPressureSelector.PolicyName];

    public static void CheckQueue(PolicyOptions queue)
    {
        if (queue.Name == "sjf-uncached")
            throw new GatewayConfigException($"{queue.Section}.name: sjf-uncached orders by prompt tokens not in the prefix cache, which only the engine knows once it schedules the request; use sjf-aging or sjf-continuous in the gateway.");
    }

    public static void CheckDispatch(PolicyOptions dispatch, IEngineSelector selector)
    {
        if (selector is IPrefixAwareSelector { Affinity.Mode: PrefixIndexMode.Precise })
            throw new GatewayConfigException($"{dispatch.Section}.prefix_mode: precise needs the engines' KV events, and the gateway has no KV-event source yet; use prefix_mode: approximate (the default).");
        var scored = PressureScored.Contains(dispatch.Name) ? dispatch
            : dispatch.Name == StickySessionSelector.PolicyName && PressureScored.Contains(dispatch.GetString("inner", "")) ? new PolicyOptions(dispatch.GetString("inner", ""), section: $"{dispatch.Section}.inner")
            : null;
        if (scored is not null && scored.GetDouble("expert_weight", 1, 0) > 0)
            throw new GatewayConfigException($"{scored.Section}.expert_weight: {scored.Name} weighs expert pressure, which no engine reports to the gateway; set expert_weight: 0 (with sticky, wrap a policy without it).");
    }
}
