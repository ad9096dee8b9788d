using Strata.Serving.Gateway.Backends;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Metrics;

namespace Strata.Serving.Gateway.Health;

/// <summary>
/// The active half of health: <c>GET /health</c> on a backend every <c>health.interval_ms</c>
/// (vLLM and SGLang both answer 200 when their engine loop is alive). Any non-2xx answer, refusal
/// or timeout is a failed probe.
/// </summary>
public sealed class HealthProber(IHttpClientFactory clients, CurrentConfig config, TimeProvider time, GatewayMetrics metrics)
{
    public async Task RunAsync(Backend backend, CancellationToken stop)
    {
        var client = clients.CreateClient(Signals.SignalScraper.HttpClientName);
        var url = new Uri(backend.Url, "health");
        while (!stop.IsCancellationRequested)
        {
            var settings = config.Value.Health;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(settings.Timeout);
                using var response = await client.GetAsync(url, timeout.Token);
                if (response.IsSuccessStatusCode) backend.Health.ProbeSucceeded();
                else backend.Health.ProbeFailed();
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !stop.IsCancellationRequested)
            {
                backend.Health.ProbeFailed();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            metrics.Healthy(backend.Name, backend.Health.IsHealthy);
            if (!await Pause.WaitAsync(time, settings.Interval, stop)) return;
        }
    }
}
