using Strata.Engine;
namespace Strata.Simulation.Workloads.Traces;

/// <summary>
/// Mooncake's FAST'25 traces (kvcache-ai/Mooncake <c>FAST25-release/traces</c>): <c>timestamp</c>
/// in ms, <c>input_length</c>, <c>output_length</c>, <c>hash_ids</c> with one id per 512-token
/// block, equal leading ids meaning a shared prefix (a line without them shares nothing).
/// </summary>
internal static class MooncakeTraceReader
{
    public const int BlockTokens = 512;

    public static List<RequestSpec> Read(string path) => JsonlTrace.Read(path, fields =>
    {
        var prompt = fields.Int("input_length");
        var request = fields.Line.Request(fields.Number("timestamp") / 1000.0, "input_length", prompt, fields.Int("output_length"));
        return request with { Prefix = PrefixBlocks.Segments(fields.Ids("hash_ids"), BlockTokens, prompt, fields.Line, "hash_ids") };
    });
}
