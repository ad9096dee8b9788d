using Strata.Serving.Gateway.Admission;
using Strata.Serving.Gateway.Backends;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Metrics;

namespace Strata.Serving.Gateway;

/// <summary>
/// The gateway's live state: the config in force, the backends it names and one
/// <see cref="ModelScheduler"/> per model. <see cref="Apply"/> installs the first config and every
/// reload; a model that stays keeps its scheduler (and the requests waiting in it), so a reload
/// never drops an accepted request.
/// </summary>
public sealed class GatewayState(CurrentConfig current, BackendRegistry registry, GatewayMetrics metrics, TimeProvider time, GatewayOptions options) : IDisposable
{
    private readonly Lock _applyLock = new();
    private readonly long _epoch = time.GetTimestamp();
    private volatile IReadOnlyDictionary<string, ModelScheduler> _models = new Dictionary<string, ModelScheduler>();

    public GatewayConfig Config => current.Value;

    public IReadOnlyDictionary<string, ModelScheduler> Models => _models;

    /// <exception cref="GatewayConfigException">The config changes <c>listen</c> or <c>max_connections</c>, which only a restart can.</exception>
    public void Apply(GatewayConfig config)
    {
        lock (_applyLock)
        {
            if (config.Listen != current.Value.Listen)
                throw new GatewayConfigException($"listen: a reload cannot change it ({current.Value.Listen} to {config.Listen}); restart the gateway to listen there, or set it back.");
            if (config.MaxConnections != current.Value.MaxConnections)
                throw new GatewayConfigException($"max_connections: a reload cannot change it ({current.Value.MaxConnections} to {config.MaxConnections}); restart the gateway, or set it back.");
            var backends = registry.Sync(config.Models.SelectMany(m => m.Backends.Select(target => (target, m.EngineType))), config.Health);
            var models = new Dictionary<string, ModelScheduler>(StringComparer.Ordinal);
            foreach (var model in config.Models)
            {
                var pool = model.Backends.Select(target => backends[target]).ToList();
                if (_models.TryGetValue(model.Name, out var scheduler)) scheduler.Configure(model, pool, config.Health.Panic);
                else scheduler = new ModelScheduler(model, pool, config.Health.Panic, time, _epoch, metrics, options.Catalogs);
                models.Add(model.Name, scheduler);
            }
            current.Value = config;
            foreach (var (name, removed) in _models)
                if (!models.ContainsKey(name)) removed.Dispose();
            _models = models;
        }
    }

    /// <summary>Stops what the models run beside their requests (KV-event subscribers); at shutdown.</summary>
    public void Dispose()
    {
        lock (_applyLock)
            foreach (var scheduler in _models.Values) scheduler.Dispose();
    }

    /// <summary>Lets queued requests move when capacity came back without a request finishing (an engine recovered, a scrape).</summary>
    public void PumpAll()
    {
        foreach (var scheduler in _models.Values) scheduler.Pump();
    }
}
