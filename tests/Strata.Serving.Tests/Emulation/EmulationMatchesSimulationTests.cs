using System.Diagnostics;
using Strata.Simulation;
using Strata.Engine.Cost;
using Strata.Simulation.Workloads;
using Strata.Engine;

namespace Strata.Serving.Tests.Emulation;

/// <summary>The emulated engine is the simulator's engine model run on a clock: the same requests get the same latencies.</summary>
public sealed class EmulationMatchesSimulationTests
{
    [Fact]
    public async Task Ttft_and_e2el_of_isolated_requests_match_the_offline_simulation()
    {
        var cluster = EmulatedEngines.OneEngine with { Routing = EmulatedEngines.OneEngine.Routing with { DriftIntervalSeconds = 0 } };
        // The first request only warms up the JIT and the connection; the simulation runs it too so both draw the same MoE samples.
        (int Prompt, int Output)[] requests = [(16, 2), (300, 24), (1500, 12), (3000, 32), (120, 40)];
        // Ten seconds apart, the simulated requests never share a step, as the emulated ones sent one after another.
        var workload = requests.Select((r, i) => new RequestSpec(10.0 * i, r.Prompt, r.Output)).ToArray();
        var cost = StepCostModels.Create(cluster);
        var simulator = new ClusterSimulator(cluster, cost, workload, new SimulationOptions(Seed: 0, "isolated"));
        simulator.Run();
        var simulated = simulator.Records.OrderBy(r => r.Id).ToArray();

        await using var engines = await EmulatedEngines.Start(cluster);
        var key = 100UL;
        for (var i = 0; i < requests.Length; i++)
        {
            // A busy shared machine can pause the process for half a second; a pause only adds time, so
            // a request gets five tries (each with fresh text, so no prefix hit) to come in on the model's time.
            for (var attempt = 1; ; attempt++)
            {
                var (ttft, e2el) = await Measure(engines, EmulatedEngines.Prompt(key++, requests[i].Prompt), requests[i].Output);
                if (i == 0) break;
                // Generous: the emulator pays HTTP and timer latency on top of the model, a few ms per request.
                var ttftFits = ttft >= simulated[i].Ttft * 0.85 && ttft <= simulated[i].Ttft * 1.15 + 0.015;
                var e2elFits = e2el >= simulated[i].E2el * 0.9 && e2el <= simulated[i].E2el * 1.1 + 0.015;
                if (ttftFits && e2elFits) break;
                Assert.True(attempt < 5, $"request {i}: emulated TTFT {ttft * 1000:F1} ms / E2EL {e2el * 1000:F1} ms, " +
                    $"simulated {simulated[i].Ttft * 1000:F1} / {simulated[i].E2el * 1000:F1} ms");
            }
        }
    }

    /// <summary>Client-side TTFT and E2EL of one streamed completion, as <c>vllm bench serve</c> times them.</summary>
    private static async Task<(double Ttft, double E2el)> Measure(EmulatedEngines engines, string prompt, int outputTokens)
    {
        var clock = Stopwatch.StartNew();
        using var response = await engines.StartStream(prompt, outputTokens);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double? ttft = null;
        var last = 0.0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: {")) continue;
            last = clock.Elapsed.TotalSeconds;
            ttft ??= last;
        }
        return (ttft!.Value, last);
    }
}
