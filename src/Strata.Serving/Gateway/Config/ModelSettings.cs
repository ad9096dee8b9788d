using Strata.Core.Policies;

namespace Strata.Serving.Gateway.Config;

/// <summary>
/// One served model: the engines that serve it and the policies that order and place its requests.
/// </summary>
/// <param name="MaxInFlightPerBackend">Requests the gateway lets run on one backend before new ones wait in its queue.</param>
/// <param name="MaxTokens">Largest <c>max_tokens</c> a request may ask for (the model's context length is a good value).</param>
public sealed record ModelSettings(
    string Name,
    EngineType EngineType,
    IReadOnlyList<Uri> Backends,
    int MaxInFlightPerBackend,
    int MaxTokens,
    QueueSettings Queue,
    PolicyOptions Dispatch);
