using System.Diagnostics;

namespace Strata.Cli.Tests;

/// <summary>
/// The real <c>strata</c> executable (the other CLI tests run it in process, where a restart would replace
/// the test host): <c>strata serve</c> restarts itself with tiered compilation on, as the same process,
/// and keeps a value the user set. Reads the serving process's environment from /proc (Linux, as in CI).
/// </summary>
public sealed class ServeProcessTests
{
    [Theory]
    [InlineData(null, "1")]
    [InlineData("0", "0")]
    public async Task Serve_runs_with_tiered_compilation_unless_the_user_chose(string? given, string expected)
    {
        var config = CliRunner.WriteFile(CliRunner.TempDir(), "gateway.yaml",
            "listen: http://127.0.0.1:0\nmodels:\n  - name: m\n    backends: [http://127.0.0.1:9]\n");
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "strata"), ["serve", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove(ServeProcess.TieredCompilationVariable);
        if (given is not null) start.Environment[ServeProcess.TieredCompilationVariable] = given;
        using var serve = Process.Start(start)!;
        try
        {
            var url = await ListeningUrlAsync(serve);
            var environment = (await File.ReadAllTextAsync($"/proc/{serve.Id}/environ")).Split('\0');
            Assert.Contains($"{ServeProcess.TieredCompilationVariable}={expected}", environment);
            Assert.Single(environment, e => e.StartsWith(ServeProcess.TieredCompilationVariable + "=", StringComparison.Ordinal));
            using var client = new HttpClient();
            using var health = await client.GetAsync(new Uri(url, "/health"));
            // Serving: 200 until the health checks find its one engine unreachable, 503 after.
            Assert.Contains((int)health.StatusCode, new[] { 200, 503 });
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
    }

    /// <summary>The URL from serve's "listening on …" line; fails with what it printed if it exits first.</summary>
    private static async Task<Uri> ListeningUrlAsync(Process serve)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await serve.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            const string marker = "listening on ";
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0) return new Uri(line[(at + marker.Length)..].Split(' ', ',')[0]);
        }
        Assert.Fail($"strata serve exited before listening: {await serve.StandardError.ReadToEndAsync()}");
        return null!;
    }
}
