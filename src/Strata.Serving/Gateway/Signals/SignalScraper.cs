using Microsoft.Extensions.Logging;
using Strata.Serving.Gateway.Backends;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Metrics;

namespace Strata.Serving.Gateway.Signals;

/// <summary>
/// Reads a backend's <c>/metrics</c> every <c>scrape_interval_ms</c> into <see cref="Backend.Signals"/>.
/// The timestamp taken before the request is sent marks the snapshot: anything dispatched later is
/// not in it. A failed scrape keeps the last snapshot, whose age keeps growing, so policies see how
/// stale it is.
/// </summary>
public sealed class SignalScraper(IHttpClientFactory clients, CurrentConfig config, TimeProvider time, GatewayMetrics metrics, ILogger<SignalScraper> log)
{
    public const string HttpClientName = "strata-signals";

    public async Task RunAsync(Backend backend, CancellationToken stop)
    {
        var client = clients.CreateClient(HttpClientName);
        var url = new Uri(backend.Url, "metrics");
        while (!stop.IsCancellationRequested)
        {
            var interval = config.Value.ScrapeInterval;
            var sent = time.GetTimestamp();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                // A scrape slower than a second is worth less than the next one.
                timeout.CancelAfter(interval * 20 > TimeSpan.FromSeconds(1) ? interval * 20 : TimeSpan.FromSeconds(1));
                var text = await client.GetStringAsync(url, timeout.Token);
                var samples = PrometheusText.Parse(text);
                backend.Signals = backend.Rank is { } rank
                    ? EngineSignals.ForRank(samples, backend.EngineType, sent, rank)
                    : EngineSignals.From(samples, backend.EngineType, sent);
            }
            catch (Exception e) when (e is HttpRequestException or FormatException or OperationCanceledException && !stop.IsCancellationRequested)
            {
                metrics.ScrapeFailed(backend.Name);
                log.LogDebug("Scraping {Url} failed: {Error}", url, e.Message);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (!await Pause.WaitAsync(time, interval - time.GetElapsedTime(sent), stop)) return;
        }
    }
}
