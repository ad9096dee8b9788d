namespace Strata.Simulation.Workloads;

/// <summary>
/// Request send times as <c>vllm bench serve</c> makes them (<c>get_request</c> in
/// <c>vllm/benchmarks/serve.py</c>, no ramp-up): each gap is Gamma(shape = b, scale = 1/(rate·b)),
/// so the mean gap is 1/rate and its coefficient of variation 1/√b (b = 1 Poisson, b &lt; 1 burstier,
/// b = ∞ a constant 1/rate). The first request also waits one gap. The cumulative times are then
/// rescaled so the last send is exactly at N/rate, which vLLM does to keep throughput stable across seeds.
/// </summary>
public sealed class ArrivalProcess
{
    public ArrivalProcess(double rate, double burstiness = 1.0)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
            throw new WorkloadException($"--rate {rate} is not a positive, finite number of requests per second; give e.g. --rate 1.4.");
        if (!(burstiness > 0))
            throw new WorkloadException($"--burstiness {burstiness} must be positive (1 = Poisson, below 1 burstier, above 1 smoother).");
        Rate = rate;
        Burstiness = burstiness;
    }

    /// <summary>Requests per second.</summary>
    public double Rate { get; }

    /// <summary>Gamma shape b of the inter-arrival gaps.</summary>
    public double Burstiness { get; }

    /// <summary>Send times in seconds of <paramref name="count"/> requests, non-decreasing.</summary>
    public double[] Times(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var times = new double[count];
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            sum += double.IsPositiveInfinity(Burstiness)
                ? 1.0 / Rate
                : GammaSampler.Gamma(random, Burstiness, 1.0 / (Rate * Burstiness));
            times[i] = sum;
        }

        if (sum > 0)
        {
            var normalize = count / Rate / sum;
            for (var i = 0; i < count; i++) times[i] *= normalize;
        }

        return times;
    }
}
