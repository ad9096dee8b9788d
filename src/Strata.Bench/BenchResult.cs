using Strata.Simulation.Metrics;

namespace Strata.Bench;

/// <summary>
/// A finished bench run: <c>vllm bench serve</c>'s metrics (computed by the simulator's own
/// <see cref="ServingMetrics"/> over per-request records, so both report by one definition), its
/// peak output rate and concurrency in 1-second buckets, and the errors failed requests saw.
/// </summary>
public sealed record BenchResult(
    BenchOptions Options,
    int NumPrompts,
    DateTimeOffset Date,
    ServingMetrics Metrics,
    double MaxOutputTokensPerSecond,
    int MaxConcurrentRequests,
    IReadOnlyList<RequestRecord> Records,
    IReadOnlyList<string> Errors)
{
    public static BenchResult From(BenchOptions options, IReadOnlyList<BenchRequest> requests, IReadOnlyList<RequestMeasurement> outcomes,
        double duration, ServiceLevelObjectives slo, DateTimeOffset date)
    {
        var records = outcomes.Select((o, i) => new RequestRecord(i, Engine: -1, o.Start, Queued: o.Start, requests[i].PromptTokens, o.OutputTokens,
            CachedPromptTokens: 0, FirstScheduled: double.NaN, o.Start + o.Ttft, o.Start + o.Latency, Preemptions: 0,
            User: null, Session: null, Domain: null, Failed: !o.Success)).ToArray();
        var itl = LatencyStats.Of(outcomes.Where(o => o.Success).SelectMany(o => o.Itl), 1000);
        var (tokensPerSecond, concurrent) = Peaks(outcomes);
        return new BenchResult(options, requests.Count, date, ServingMetrics.Of(records, duration, itl, slo), tokensPerSecond, concurrent,
            records, outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToArray());
    }

    /// <summary>
    /// vLLM's <c>max_output_tokens_per_s</c> and <c>max_concurrent_requests</c>: content chunks and
    /// running requests counted per whole second from the first send.
    /// </summary>
    private static (double TokensPerSecond, int Concurrent) Peaks(IReadOnlyList<RequestMeasurement> outcomes)
    {
        var done = outcomes.Where(o => o.Success).ToArray();
        if (done.Length == 0) return (0, 0);
        var first = done.Min(o => o.Start);
        var seconds = (int)Math.Ceiling(done.Max(o => o.Start + o.Latency) - first) + 1;
        var tokens = new double[seconds];
        var concurrent = new int[seconds];
        foreach (var o in done)
        {
            var time = o.Start + o.Ttft;
            tokens[(int)(time - first)]++;
            foreach (var gap in o.Itl)
            {
                time += gap;
                if ((int)(time - first) < seconds) tokens[(int)(time - first)]++;
            }
            for (var s = (int)(o.Start - first); s <= (int)(o.Start + o.Latency - first); s++) concurrent[s]++;
        }
        return (tokens.Max(), concurrent.Max());
    }
}
