using Strata.Core.Policies;
using Strata.Core.Queueing;

namespace Strata.Core.Dispatch;

/// <summary>
/// The refusal of a policy whose inputs a world cannot supply (<see cref="SignalFields"/>): the error names the
/// configuration field, the missing signal and what would supply it, before any work starts.
/// </summary>
public static class PolicyInputs
{
    /// <param name="supplied">What the world's signal sources supply.</param>
    /// <param name="world">The world, as the error names it (e.g. "the gateway").</param>
    public static void Check(IEngineSelector selector, PolicyOptions options, SignalFields supplied, string world) =>
        Check(selector.Requires, options, supplied, world);

    public static void Check(IQueuePolicy policy, PolicyOptions options, SignalFields supplied, string world) =>
        Check(policy.Requires, options, supplied, world);

    private static void Check(SignalFields required, PolicyOptions options, SignalFields supplied, string world)
    {
        var missing = required & ~supplied;
        if (missing == SignalFields.None) return;
        var field = (SignalFields)((int)missing & -(int)missing); // the lowest missing one; its fix may be the only one needed
        // A wrapper (sticky) requires what its inner policy does: the error points at the inner one's options.
        var inner = options.GetString("inner", "");
        var (section, name) = inner.Length > 0 ? ($"{options.Section}.inner", inner) : (options.Section, options.Name);
        throw new PolicyConfigurationException($"{section}.{Key(field)}: {name} {Need(field)}, which {world} does not supply. {Fix(field)}");
    }

    /// <summary>The option that asks for the signal.</summary>
    private static string Key(SignalFields field) => field switch
    {
        SignalFields.ExpertPressure => "expert_weight",
        SignalFields.KvEvents => "prefix_mode",
        _ => "name",
    };

    private static string Need(SignalFields field) => field switch
    {
        SignalFields.ExpertPressure => "weighs expert pressure",
        SignalFields.KvEvents => "in precise mode learns only from the engines' KV events",
        SignalFields.CachedTokens => "orders by prompt tokens not in the prefix cache",
        _ => $"reads {field}",
    };

    private static string Fix(SignalFields field) => field switch
    {
        SignalFields.ExpertPressure => "Only the simulator's expert-parallel model supplies it; set expert_weight: 0 (with sticky, wrap a policy without it).",
        SignalFields.KvEvents => "Give every backend its kv_events endpoint ({url, kv_events: tcp://host:5557}, from vLLM's --kv-events-config), or use prefix_mode: approximate (the default).",
        SignalFields.CachedTokens => "Only the engine knows a request's prefix-cache hit once it schedules it; use sjf-aging or sjf-continuous in front of engines.",
        _ => "Use a policy that does without it.",
    };
}
