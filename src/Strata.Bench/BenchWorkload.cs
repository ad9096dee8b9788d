using System.Text;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Engine;
using Strata.Simulation.Workloads;

namespace Strata.Bench;

/// <summary>
/// Turns a workload preset or trace into bench requests: send times from <c>vllm bench serve</c>'s
/// arrival process (all at zero for an infinite rate), and prompt text synthesized to the requested
/// token count. Text is pseudo-tokens fixed by the request's prefix segments, so requests that
/// share a prefix in the workload (chat sessions, Mooncake hash ids) share it as text too, and a
/// server's prefix cache sees the reuse; tokens past the segments are unique to the request.
/// </summary>
public static class BenchWorkload
{
    public static IReadOnlyList<BenchRequest> Open(string nameOrPath, double rate, double burstiness, int? requests, int seed)
    {
        var allAtOnce = double.IsPositiveInfinity(rate);
        // With an infinite rate the arrival process only has to be valid; the times are dropped.
        var workload = WorkloadCatalog.Open(new WorkloadOptions(nameOrPath, allAtOnce ? null : rate, burstiness, requests, seed));
        return workload.Requests
            .Select((spec, i) => new BenchRequest(allAtOnce ? 0 : spec.ArrivalTime, Prompt(spec, i, seed), spec.PromptTokens, spec.OutputTokens))
            .ToArray();
    }

    /// <summary>Exactly <see cref="RequestSpec.PromptTokens"/> pseudo-tokens of text.</summary>
    public static string Prompt(RequestSpec spec, long index, int seed)
    {
        var text = new StringBuilder(spec.PromptTokens * 4);
        var written = 0;
        foreach (var segment in spec.Prefix)
        {
            var tokens = Math.Min(segment.Tokens, spec.PromptTokens - written);
            PseudoTokenText.Append(text, segment.Key, 0, tokens);
            written += tokens;
        }
        var unique = unchecked((ulong)seed * 0x9E37_79B9_7F4A_7C15UL + (ulong)index + 1) | 1UL << 63;
        PseudoTokenText.Append(text, unique, 0, spec.PromptTokens - written);
        return text.ToString();
    }
}
