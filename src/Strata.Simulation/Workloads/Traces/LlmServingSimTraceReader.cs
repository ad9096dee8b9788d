using Strata.Engine;
namespace Strata.Simulation.Workloads.Traces;

/// <summary>
/// LLMServingSim's workload JSONL (casys-kaist/LLMServingSim <c>workloads/*.jsonl</c>):
/// <c>input_toks</c>, <c>output_toks</c>, <c>arrival_time_ns</c>; token ids, if present, are ignored.
/// </summary>
internal static class LlmServingSimTraceReader
{
    public static List<RequestSpec> Read(string path) => JsonlTrace.Read(path, fields =>
        fields.Line.Request(fields.Number("arrival_time_ns") / 1e9, "input_toks", fields.Int("input_toks"), fields.Int("output_toks")));
}
