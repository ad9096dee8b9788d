namespace Strata.Bench;

/// <summary>One request of a bench run: when to send it (seconds from the start), its prompt text and lengths.</summary>
/// <param name="OutputTokens">Sent as <c>max_tokens</c> with <c>ignore_eos</c>, so the server generates exactly this many.</param>
public sealed record BenchRequest(double SendTime, string Prompt, int PromptTokens, int OutputTokens);
