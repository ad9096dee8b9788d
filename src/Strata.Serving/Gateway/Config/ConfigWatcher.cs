using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Strata.Serving.Gateway.Metrics;

namespace Strata.Serving.Gateway.Config;

/// <summary>
/// Reloads the config file when it changes. A file that fails validation is logged and ignored —
/// the gateway keeps serving the last good config — so an edit in progress never takes it down.
/// The file is polled (every 4 s) rather than watched with inotify: a Kubernetes ConfigMap is
/// updated by swapping a symlink, which a watch on the file never sees, and inotify also missed
/// an edit made right after start-up under CI load.
/// </summary>
public sealed class ConfigWatcher : IDisposable
{
    private readonly string _path;
    private readonly PhysicalFileProvider _files;
    private readonly Action<GatewayConfig> _apply;
    private readonly Core.Policies.PolicyCatalogs _catalogs;
    private readonly ILogger _log;
    private readonly GatewayMetrics _metrics;
    private readonly IDisposable _subscription;

    public ConfigWatcher(string path, Core.Policies.PolicyCatalogs catalogs, Action<GatewayConfig> apply, ILogger log, GatewayMetrics metrics)
    {
        _path = Path.GetFullPath(path);
        (_apply, _log, _metrics, _catalogs) = (apply, log, metrics, catalogs);
        _files = new PhysicalFileProvider(Path.GetDirectoryName(_path)!) { UsePollingFileWatcher = true, UseActivePolling = true };
        _subscription = ChangeToken.OnChange(() => _files.Watch(Path.GetFileName(_path)), Reload);
    }

    private void Reload()
    {
        try
        {
            _apply(GatewayConfigFile.Load(_path, _catalogs));
            _metrics.ConfigReloaded(applied: true);
            _log.LogInformation("Reloaded {Path}", _path);
        }
        catch (Exception e) when (e is GatewayConfigException or IOException)
        {
            _metrics.ConfigReloaded(applied: false);
            _log.LogError("Kept the previous config: {Error}", e.Message);
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _files.Dispose();
    }
}
