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
    private ConfigWatcher? _watcher;

    /// <summary>
    /// The watcher starts here, before start-up returns, not in <see cref="ExecuteAsync"/>: .NET runs that on a
    /// background task, so an edit saved right after start-up could land before the watcher took its baseline and
    /// never be read.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        state.Apply(initial.Value);
        _watcher = options.ConfigPath is { } path ? new ConfigWatcher(path, options.Catalogs, state.Apply, log, metrics) : null;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await Pause.WaitAsync(time, state.Config.ScrapeInterval, stoppingToken)) state.PumpAll();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        await base.StopAsync(cancellationToken);
        await registry.DisposeAsync();
    }
}
