using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strata.Serving.Gateway.Backends;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Metrics;

namespace Strata.Serving.Gateway;

/// <summary>
/// Starts and stops what runs beside the request path: the first config (and with it the backends'
/// scrape and probe loops), the config-file watcher, and a tick every scrape interval that lets
/// queued requests move when an engine came back without any request finishing.
/// </summary>
internal sealed class GatewayLifetime(GatewayState state, CurrentConfig initial, BackendRegistry registry, GatewayOptions options, GatewayMetrics metrics, TimeProvider time, ILogger<GatewayLifetime> log)
    : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        state.Apply(initial.Value);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = options.ConfigPath is { } path ? new ConfigWatcher(path, state.Apply, log, metrics) : null;
        while (await Pause.WaitAsync(time, state.Config.ScrapeInterval, stoppingToken)) state.PumpAll();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await registry.DisposeAsync();
    }
}
