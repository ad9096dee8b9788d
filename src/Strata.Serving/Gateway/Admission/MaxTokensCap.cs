using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Admission;

/// <summary>
/// A model's <c>max_tokens</c> cap, applied to the field the engine will read
/// (<see cref="MaxTokensFields"/>). A client that asks for more gets a 400 naming that field; a
/// request that leaves the limit to the engine — no field, or null, or a schema default above the
/// cap — gets the cap written into its body, so no engine default can exceed it.
/// </summary>
public static class MaxTokensCap
{
    /// <param name="buffers">Where a body with the cap written in is built.</param>
    public static (ReadOnlyMemory<byte> Body, CompletionRequest Request) Apply(ReadOnlyMemory<byte> body, CompletionRequest request, int cap, RequestBuffers buffers)
    {
        if (request.MaxTokensSet)
        {
            if (request.MaxTokens > cap)
                throw OpenAiError.InvalidRequest($"'{request.MaxTokensField}' is {request.MaxTokens}; '{request.Model}' allows at most {cap}.", request.MaxTokensField);
            return (body, request);
        }
        if (request.MaxTokens <= cap) return (body, request);
        return (TopLevelField.SetInt(body, request.MaxTokensField, cap, buffers), request with { MaxTokens = cap });
    }
}
