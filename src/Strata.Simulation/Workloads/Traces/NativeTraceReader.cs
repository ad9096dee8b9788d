using Strata.Engine;
namespace Strata.Simulation.Workloads.Traces;

/// <summary>
/// Strata's own workload JSONL (docs/architecture.md, "File formats"): <c>arrival_s</c>, <c>prompt_tokens</c>,
/// <c>output_tokens</c>, and optional <c>user</c>, <c>session</c>, <c>tenant</c>, <c>domain</c>,
/// <c>priority</c>, <c>prefix_blocks</c> (ids of consecutive prefix blocks) and
/// <c>prefix_block_tokens</c> (their size, 16 by default, vLLM's KV block size).
/// </summary>
internal static class NativeTraceReader
{
    public const int DefaultBlockTokens = 16;

    public static List<RequestSpec> Read(string path) => JsonlTrace.Read(path, fields =>
    {
        var arrival = fields.Number("arrival_s");
        if (arrival < 0) throw fields.Line.Error("arrival_s", $"{arrival} is negative; arrivals are seconds from the start of the run");
        var prompt = fields.Int("prompt_tokens");
        var blockTokens = fields.OptionalInt("prefix_block_tokens") ?? DefaultBlockTokens;
        if (blockTokens < 1) throw fields.Line.Error("prefix_block_tokens", $"{blockTokens} must be at least 1 (vLLM's block size is 16)");
        return fields.Line.Request(arrival, "prompt_tokens", prompt, fields.Int("output_tokens")) with
        {
            User = fields.OptionalText("user"),
            Session = fields.OptionalText("session"),
            Tenant = fields.OptionalText("tenant"),
            Domain = fields.OptionalText("domain"),
            Priority = fields.OptionalInt("priority") ?? 0,
            Prefix = PrefixBlocks.Segments(fields.Ids("prefix_blocks"), blockTokens, prompt, fields.Line, "prefix_blocks"),
        };
    });
}
