namespace Strata.Simulation.Workloads;

/// <summary>
/// Output lengths for the synthetic workloads: log-normal with median 200 tokens and σ = 0.9
/// (mean ≈ 300, p99 ≈ 1,600), capped at 2,048.
/// Why: Gimbal does not say how it set output lengths (arXiv 2602.21626v1, experimental setup), and
/// BurstGPT's response tokens were not inspected. The nearest measured chat services bracket
/// them: Azure LLM 2023 conv, the same Azure OpenAI fleet a few months earlier, has output mean 211,
/// p50 129, p99 601; ShareGPT answers have mean 439, p50 415. BurstGPT's published sample rows are
/// mostly 100–650 tokens with a tail past 1,500. A log-normal keeps that right skew without a
/// heavy tail, and the cap keeps a single request from dominating a 1,000-request run.
/// </summary>
internal static class BurstGptOutputLengths
{
    public const int Median = 200;
    public const double Sigma = 0.9;
    public const int Max = 2048;

    public static int Sample(Random random)
    {
        var tokens = Median * Math.Exp(Sigma * GammaSampler.StandardNormal(random));
        return (int)Math.Clamp(Math.Round(tokens), 1, Max);
    }
}
