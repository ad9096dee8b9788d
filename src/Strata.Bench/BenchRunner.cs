using System.Diagnostics;
using System.Net;
using Strata.Simulation.Metrics;

namespace Strata.Bench;

/// <summary>
/// <c>strata bench</c>'s load loop, as <c>vllm bench serve</c> runs: each request is launched at its
/// send time whether or not earlier ones finished (open loop), waits for a slot when a
/// <see cref="BenchOptions.MaxConcurrency"/> cap is set, and is timed from when it is actually sent.
/// </summary>
public static class BenchRunner
{
    /// <param name="onFinished">Called as each request ends, from any thread (a progress bar).</param>
    public static async Task<BenchResult> RunAsync(BenchOptions options, IReadOnlyList<BenchRequest> requests, ServiceLevelObjectives slo,
        Action<RequestMeasurement>? onFinished = null, CancellationToken cancel = default)
    {
        // One connection per request in flight: SSE streams hold theirs until the last token.
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxConcurrency ?? Math.Max(requests.Count, 1),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new OpenAiStreamClient(http, options);
        using var slots = options.MaxConcurrency is { } cap ? new SemaphoreSlim(cap) : null;
        var date = DateTimeOffset.Now;
        var runStart = Stopwatch.GetTimestamp();

        async Task<RequestMeasurement> Launch(BenchRequest request)
        {
            if (slots is not null) await slots.WaitAsync(cancel);
            try
            {
                var outcome = await client.Send(request, runStart, cancel);
                onFinished?.Invoke(outcome);
                return outcome;
            }
            finally
            {
                slots?.Release();
            }
        }

        var launched = new List<Task<RequestMeasurement>>(requests.Count);
        foreach (var request in requests)
        {
            var wait = request.SendTime - Stopwatch.GetElapsedTime(runStart).TotalSeconds;
            if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait), cancel);
            launched.Add(Launch(request));
        }
        var outcomes = await Task.WhenAll(launched);
        var duration = Stopwatch.GetElapsedTime(runStart).TotalSeconds;
        return BenchResult.From(options, requests, outcomes, duration, slo, date);
    }
}
