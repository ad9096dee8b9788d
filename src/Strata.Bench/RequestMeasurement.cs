namespace Strata.Bench;

/// <summary>
/// What one streamed request measured, with <c>vllm bench serve</c>'s definitions: TTFT to the first
/// chunk with content, one ITL per later content chunk, latency to the last content chunk; all
/// seconds, <see cref="Start"/> from the start of the run.
/// </summary>
public sealed record RequestMeasurement(
    bool Success,
    double Start,
    double Ttft,
    double Latency,
    IReadOnlyList<double> Itl,
    int OutputTokens,
    string? Error)
{
    public static RequestMeasurement Failure(double start, string error) => new(false, start, 0, 0, [], 0, error);
}
