using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Health;
using Strata.Serving.Gateway.Metrics;
using Strata.Serving.Gateway.Signals;

namespace Strata.Serving.Gateway.Backends;

/// <summary>
/// Every backend the config names (an engine, or one DP rank of a server), each with its scrape and health-probe
/// loops running (a server's ranks each scrape it and keep their own series). A reload keeps the <see cref="Backend"/> of a target that stays (its in-flight requests, health
/// and signals carry over), starts loops for new URLs and stops them for removed ones; requests
/// already on a removed backend finish there. A new backend's gauges are in <c>/metrics</c> from the moment it is
/// held, before its first probe answers.
/// </summary>
public sealed class BackendRegistry(SignalScraper scraper, HealthProber prober, GatewayMetrics metrics, TimeProvider time) : IAsyncDisposable
{
    private readonly Dictionary<EngineTarget, Monitored> _backends = [];

    /// <summary>Makes the registry hold exactly these backends (engines, or DP ranks of a server); returns them by target.</summary>
    public IReadOnlyDictionary<EngineTarget, Backend> Sync(IEnumerable<(EngineTarget Target, EngineType Engine)> wanted, HealthSettings health)
    {
        var keep = new Dictionary<EngineTarget, EngineType>();
        foreach (var (target, engine) in wanted) keep.TryAdd(target, engine);
        foreach (var (target, monitored) in _backends.Where(b => !keep.TryGetValue(b.Key, out var engine) || engine != b.Value.Backend.EngineType).ToList())
        {
            monitored.Stop.Cancel();
            _backends.Remove(target);
        }
        foreach (var (target, engine) in keep)
        {
            if (_backends.ContainsKey(target)) continue;
            var backend = new Backend(target, engine, time);
            metrics.Healthy(backend.Name, backend.Health.IsHealthy);
            metrics.InFlight(backend.Name, backend.InFlight);
            var stop = new CancellationTokenSource();
            var loops = Task.WhenAll(Task.Run(() => scraper.RunAsync(backend, stop.Token)), Task.Run(() => prober.RunAsync(backend, stop.Token)));
            _backends.Add(target, new Monitored(backend, stop, loops));
        }
        foreach (var monitored in _backends.Values) monitored.Backend.Health.Settings = health;
        return _backends.ToDictionary(b => b.Key, b => b.Value.Backend);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var monitored in _backends.Values) monitored.Stop.Cancel();
        try
        {
            await Task.WhenAll(_backends.Values.Select(m => m.Loops));
        }
        catch (ObjectDisposedException)
        {
            // A loop that first ran after the host began to shut down (it failed to start, e.g. its port was taken)
            // found the services it asks for its HTTP client already disposed: it had nothing to stop.
        }
        foreach (var monitored in _backends.Values) monitored.Stop.Dispose();
        _backends.Clear();
    }

    private sealed record Monitored(Backend Backend, CancellationTokenSource Stop, Task Loops);
}
