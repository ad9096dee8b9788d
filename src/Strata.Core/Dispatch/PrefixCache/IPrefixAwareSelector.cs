namespace Strata.Core.Dispatch.PrefixCache;

/// <summary>
/// A selector that routes by prefix-cache affinity. The simulator and the gateway hand engine KV
/// events to <see cref="Affinity"/> (an <see cref="IKvEventSink"/>) and hash prompts with its
/// <see cref="PrefixAffinity.BlockSize"/>.
/// </summary>
public interface IPrefixAwareSelector : IEngineSelector
{
    PrefixAffinity Affinity { get; }
}
