using Strata.Engine;
namespace Strata.Simulation.Workloads;

/// <summary>
/// Gimbal's latency workload: prompt lengths from one of the five shapes, BurstGPT-like output
/// lengths, a random domain, no shared prefixes (the paper disables prefix caching for these runs).
/// </summary>
internal static class ShapedWorkloadGenerator
{
    /// <param name="lengths">Draws the shape, lengths and domains.</param>
    /// <param name="sendTimes">One arrival per request, in order.</param>
    public static List<RequestSpec> Generate(PromptLengthShape shape, IReadOnlyList<double> sendTimes, Random lengths)
    {
        var histogram = shape.Histogram(lengths);
        var requests = new List<RequestSpec>(sendTimes.Count);
        foreach (var time in sendTimes)
        {
            var prompt = histogram.Sample(lengths);
            var output = BurstGptOutputLengths.Sample(lengths);
            requests.Add(new RequestSpec(time, prompt, output) { Domain = RequestDomains.Pick(lengths) });
        }

        return requests;
    }
}
