using Strata.Core.Dispatch;
using Strata.Serving.Gateway.Backends;
using Strata.Core.Policies;
using Strata.Serving.Tokenization;

namespace Strata.Serving.Gateway.Config;

/// <summary>
/// One served model: the engines that serve it and the policies that order and place its requests.
/// </summary>
/// <param name="Backends">The engines, in config order: a server's DP ranks one after another.</param>
/// <param name="MaxInFlightPerBackend">Requests the gateway lets run on one backend before new ones wait in its queue.</param>
/// <param name="MaxTokens">Largest <c>max_tokens</c> a request may ask for (the model's context length is a good value).</param>
/// <param name="Tokenizer">The model's <c>tokenizer.json</c>, when configured (<c>tokenizer: {path}</c>): prompts count and hash as the engine's token ids.</param>
public sealed record ModelSettings(
    string Name,
    EngineType EngineType,
    IReadOnlyList<EngineTarget> Backends,
    int MaxInFlightPerBackend,
    int MaxTokens,
    QueueSettings Queue,
    PolicyOptions Dispatch,
    ModelTokenizer? Tokenizer = null)
{
    /// <summary>What the model's signal sources supply its policies: every backend's scrape, and KV events when every backend has a <c>kv_events</c> source.</summary>
    public SignalFields Supplied => SuppliedBy(Backends);

    public static SignalFields SuppliedBy(IReadOnlyList<EngineTarget> backends) =>
        Backend.ScrapedSignals | (backends.All(b => b.KvEvents is not null) ? SignalFields.KvEvents : SignalFields.None);
}
