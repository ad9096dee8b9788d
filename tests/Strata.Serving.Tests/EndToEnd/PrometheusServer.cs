using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Strata.Serving.Tests.EndToEnd;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package; <c>.ci/run</c> installs it) scraping the
/// given targets every second from a temporary directory, with its HTTP query API on a loopback port.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly StringBuilder _log = new();

    private PrometheusServer(Process process, DirectoryInfo directory, Uri url)
    {
        _process = process;
        _directory = directory;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
        process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
    }

    public HttpClient Http { get; }

    /// <summary>What the server has logged so far, for failure messages.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Why a test that needs Prometheus cannot run here, and how to make it run.</summary>
    public const string Missing = "Prometheus is not installed: `apt-get install prometheus` (Debian), or set STRATA_PROMETHEUS to its binary";

    /// <summary>
    /// The binary: <c>STRATA_PROMETHEUS</c> if set, else <c>prometheus</c> on the PATH, else null. Where
    /// <c>STRATA_REQUIRE_PROMETHEUS=1</c> (CI sets it), a missing binary is a failure, never a skip.
    /// </summary>
    public static string? Binary()
    {
        var configured = Environment.GetEnvironmentVariable("STRATA_PROMETHEUS");
        var found = !string.IsNullOrEmpty(configured) ? configured
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(dir => Path.Combine(dir, "prometheus")).FirstOrDefault(File.Exists);
        if (found is null && Environment.GetEnvironmentVariable("STRATA_REQUIRE_PROMETHEUS") == "1")
            throw new InvalidOperationException(Missing + " (STRATA_REQUIRE_PROMETHEUS=1 forbids skipping this test).");
        return found;
    }

    /// <summary>Starts scraping one job per target (job name → base URL, scraped at <c>/metrics</c>).</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, Uri> targets)
    {
        var directory = Directory.CreateTempSubdirectory("strata-prometheus-");
        var config = new StringBuilder("global: {scrape_interval: 1s, scrape_timeout: 900ms}\nscrape_configs:\n");
        foreach (var (job, url) in targets)
            config.Append($"  - job_name: '{job}'\n    static_configs: [{{targets: ['{url.Authority}']}}]\n");
        var configPath = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(configPath, config.ToString());

        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(Binary() ?? throw new InvalidOperationException(Missing))
        {
            ArgumentList =
            {
                $"--config.file={configPath}", $"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var server = new PrometheusServer(Process.Start(start)!, directory, new Uri($"http://127.0.0.1:{port}"));
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>An instant PromQL query: each result series' labels and value.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql)));
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(series => (
                series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                double.Parse(series.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>Each scrape target's job, health and last scrape error as Prometheus reports them.</summary>
    public async Task<List<(string Job, string Health, string LastError)>> TargetsAsync()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/targets"));
        return document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => (t.GetProperty("labels").GetProperty("job").GetString()!, t.GetProperty("health").GetString()!, t.GetProperty("lastError").GetString()!))
            .ToList();
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) break;
            try
            {
                using var ready = await Http.GetAsync("/-/ready");
                if (ready.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"Prometheus did not become ready. Its log:\n{Log}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _directory.Delete(recursive: true);
    }
}
