using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Health;
using Strata.Serving.Gateway.Signals;

namespace Strata.Serving.Gateway.Backends;

/// <summary>
/// Every backend the config names, by URL, each with its scrape and health-probe loops running.
/// A reload keeps the <see cref="Backend"/> of a URL that stays (its in-flight requests, health
/// and signals carry over), starts loops for new URLs and stops them for removed ones; requests
/// already on a removed backend finish there.
/// </summary>
public sealed class BackendRegistry(SignalScraper scraper, HealthProber prober, TimeProvider time) : IAsyncDisposable
{
    private readonly Dictionary<Uri, Monitored> _backends = [];

    /// <summary>Makes the registry hold exactly these backends; returns them by URL.</summary>
    public IReadOnlyDictionary<Uri, Backend> Sync(IEnumerable<(Uri Url, EngineType Engine)> wanted, HealthSettings health)
    {
        var keep = new Dictionary<Uri, EngineType>();
        foreach (var (url, engine) in wanted) keep.TryAdd(url, engine);
        foreach (var (url, monitored) in _backends.Where(b => !keep.TryGetValue(b.Key, out var engine) || engine != b.Value.Backend.EngineType).ToList())
        {
            monitored.Stop.Cancel();
            _backends.Remove(url);
        }
        foreach (var (url, engine) in keep)
        {
            if (_backends.ContainsKey(url)) continue;
            var backend = new Backend(url, engine, time);
            var stop = new CancellationTokenSource();
            var loops = Task.WhenAll(Task.Run(() => scraper.RunAsync(backend, stop.Token)), Task.Run(() => prober.RunAsync(backend, stop.Token)));
            _backends.Add(url, new Monitored(backend, stop, loops));
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
