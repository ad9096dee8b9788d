namespace Strata.Engine;

/// <summary>
/// One request of a workload, as a trace line or a generator describes it.
/// The simulator numbers requests in arrival order.
/// </summary>
/// <param name="ArrivalTime">Seconds from the start of the run.</param>
/// <param name="PromptTokens">Prompt (prefill) length.</param>
/// <param name="OutputTokens">Tokens to generate (the benchmark's <c>max_tokens</c> with EOS ignored).</param>
public sealed record RequestSpec(double ArrivalTime, int PromptTokens, int OutputTokens)
{
    public string? User { get; init; }
    public string? Session { get; init; }
    public string? Tenant { get; init; }
    public string? Domain { get; init; }
    public int Priority { get; init; }

    /// <summary>
    /// The prompt's content identity, front to back; tokens past the segments are unique to this
    /// request. Two requests whose leading segments match share a KV prefix. Empty: all unique.
    /// </summary>
    public IReadOnlyList<PrefixSegment> Prefix { get; init; } = [];

    /// <summary>
    /// True when the generated tokens continue the last prefix segment, so a later turn of the
    /// same conversation that includes this answer hits its KV blocks (multi-turn chat).
    /// </summary>
    public bool OutputContinuesPrefix { get; init; }
}

/// <summary>A run of <paramref name="Tokens"/> tokens whose content is identified by <paramref name="Key"/>.</summary>
public readonly record struct PrefixSegment(ulong Key, int Tokens);
