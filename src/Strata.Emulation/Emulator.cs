using Strata.Engine.Cost;

namespace Strata.Emulation;

/// <summary>
/// <c>strata emulate</c>: N vLLM-compatible engine servers in one process, engine i on port
/// P + i, each driven in real time by the simulator's model of one DP engine of the cluster.
/// </summary>
public sealed class Emulator : IAsyncDisposable
{
    private readonly EngineServer[] _servers;

    private Emulator(EngineServer[] servers) => _servers = servers;

    /// <summary>Where each engine listens, in engine order.</summary>
    public IReadOnlyList<Uri> Urls => _servers.Select(s => s.Url).ToArray();

    /// <summary>Per engine, a task that completes when that engine crashes (<see cref="FailureInjection.CrashAfter"/>).</summary>
    public IReadOnlyList<Task> Crashes => _servers.Select(s => s.Crashed).ToArray();

    public static async Task<Emulator> StartAsync(EmulatorOptions options, TimeProvider? time = null, CancellationToken cancel = default)
    {
        time ??= TimeProvider.System;
        var cluster = options.Cluster;
        var cost = StepCostModels.Create(cluster);
        var servers = new List<EngineServer>();
        try
        {
            for (var i = 0; i < options.Engines; i++)
            {
                var engine = new EmulatedEngine(i, cluster, cost, new ModelClock(time, options.TimeScale), options.ModelName, options.Seed + i);
                var server = new EngineServer(i, engine, options, time);
                servers.Add(server);
                await server.StartAsync(cancel);
            }
        }
        catch
        {
            foreach (var server in servers) await server.DisposeAsync();
            throw;
        }
        return new Emulator([.. servers]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
    }
}
