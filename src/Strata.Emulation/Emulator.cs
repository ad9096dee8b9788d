using Strata.Engine.Cost;

namespace Strata.Emulation;

/// <summary>
/// <c>strata emulate</c>: vLLM-compatible servers in one process, server i on port P + i, each with
/// <see cref="EmulatorOptions.DataParallelSize"/> DP ranks behind its port (by default one DP engine of the
/// cluster), driven in real time by the simulator's engine model.
/// </summary>
public sealed class Emulator : IAsyncDisposable
{
    private readonly EngineServer[] _servers;

    private Emulator(EngineServer[] servers) => _servers = servers;

    /// <summary>Where each server listens, in server order.</summary>
    public IReadOnlyList<Uri> Urls => _servers.Select(s => s.Url).ToArray();

    /// <summary>Per server, a task that completes when that server crashes (<see cref="FailureInjection.CrashAfter"/>).</summary>
    public IReadOnlyList<Task> Crashes => _servers.Select(s => s.Crashed).ToArray();

    /// <exception cref="ArgumentException">The DP layout cannot run (<see cref="EmulatorOptions.LayoutError"/>).</exception>
    public static async Task<Emulator> StartAsync(EmulatorOptions options, TimeProvider? time = null, CancellationToken cancel = default)
    {
        if (options.LayoutError is { } error) throw new ArgumentException(error, nameof(options));
        time ??= TimeProvider.System;
        var cluster = options.ServerCluster;
        var cost = StepCostModels.Create(cluster);
        var servers = new List<EngineServer>();
        try
        {
            for (var i = 0; i < options.Engines; i++)
            {
                var engine = new EmulatedEngine(i, options, cluster, cost, new ModelClock(time, options.TimeScale));
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
