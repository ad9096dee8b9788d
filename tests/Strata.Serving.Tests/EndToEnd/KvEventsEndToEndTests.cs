using System.Runtime.InteropServices;
using System.Text;
using Strata.Emulation;
using Strata.KvEvents;
using Strata.Serving.Tests.Emulation;
using Strata.Serving.Tests.Gateway;

namespace Strata.Serving.Tests.EndToEnd;

/// <summary>
/// KV events both ways with real parts: <c>strata emulate --kv-events-config</c> publishes each rank's stored and
/// evicted blocks in vLLM's wire format, and the gateway's precise prefix index, fed only by those events, sends a
/// repeated long prompt to the rank of an emulated DP4 EP server that holds it, beside a single-engine server.
/// </summary>
public sealed class KvEventsEndToEndTests
{
    private const double TimeScale = 20;

    private static KvEventsConfig Events(int ranks) =>
        KvEventsConfig.Parse($"{{\"enable_kv_cache_events\": true, \"publisher\": \"zmq\", \"endpoint\": \"tcp://*:{LoopbackPorts.Run(ranks)}\", \"replay_endpoint\": \"tcp://*:{LoopbackPorts.Run(ranks)}\"}}")!;

    private static string Source(KvEventsConfig events) =>
        $"{{endpoint: {events.Endpoint.Replace("*", "127.0.0.1")}, replay_endpoint: {events.ReplayEndpoint!.Replace("*", "127.0.0.1")}}}";

    private sealed class Captured : IKvEventBatchSink
    {
        public List<KvEvent> Events { get; } = [];

        public void Apply(int engine, KvEventBatch batch)
        {
            lock (Events) Events.AddRange(batch.Events);
        }

        public void Reset(int engine) { }
    }

    [Fact]
    public async Task The_emulator_publishes_a_ranks_stored_blocks_with_the_prompts_token_ids_at_its_port()
    {
        var events = Events(2);
        await using var server = await EmulatedEngines.Start(timeScale: TimeScale, dataParallelSize: 2, expertParallel: true, kvEvents: events);
        var captured = new Captured();
        using var subscriber = new KvEventSubscriber(new KvEventSubscriberOptions
        {
            Endpoint = events.Endpoint.Replace("*", "127.0.0.1"),
            ReplayEndpoint = events.ReplayEndpoint!.Replace("*", "127.0.0.1"),
            DataParallelRank = 1,
        }, 0, captured);
        await Task.Delay(500); // ZMQ's slow joiner: a batch published before the subscription is lost to it

        var prompt = EmulatedEngines.Prompt(7, 256);
        using var response = await server.CompleteOnRank(prompt, 4, "1");
        response.EnsureSuccessStatusCode();

        var bytes = Encoding.UTF8.GetBytes(prompt);
        var tokens = MemoryMarshal.Cast<byte, int>(bytes.AsSpan(0, bytes.Length / 64 * 64)).ToArray();
        await TestGateway.EventuallyAsync(async () => { lock (captured.Events) return captured.Events.OfType<BlockStored>().Sum(s => s.TokenIds.Count) >= tokens.Length; }, "rank 1's stored blocks arrive");
        var stored = captured.Events.OfType<BlockStored>().ToList();
        Assert.Equal(tokens, stored.SelectMany(s => s.TokenIds).Take(tokens.Length));
        Assert.Null(stored[0].ParentBlockHash);
        Assert.All(stored.Skip(1).Zip(stored), pair => Assert.Equal(pair.Second.BlockHashes[^1], pair.First.ParentBlockHash));
        Assert.All(stored, s => Assert.Equal(16, s.BlockSize));
    }

    [Fact]
    public async Task The_gateways_precise_index_fed_by_the_emulators_events_sends_a_repeated_prompt_to_the_rank_that_holds_it()
    {
        var (dpEvents, singleEvents) = (Events(4), Events(1));
        await using var dp = await EmulatedEngines.Start(timeScale: TimeScale, dataParallelSize: 4, expertParallel: true, kvEvents: dpEvents);
        await using var single = await EmulatedEngines.Start(timeScale: TimeScale, kvEvents: singleEvents);
        var dpUrl = dp.Url.AbsoluteUri.TrimEnd('/');
        await using var gateway = await TestGateway.StartAsync(
            $"health: {{interval_ms: 100, timeout_ms: 1000}}\nmodels:\n  - name: {EmulatedEngines.Model}\n" +
            $"    backends: [{{url: {dpUrl}, data_parallel_size: 4, kv_events: {Source(dpEvents)}}}, {{url: {single.Url.AbsoluteUri}, kv_events: {Source(singleEvents)}}}]\n" +
            "    dispatch: {name: llmd, prefix_mode: precise}\n");
        await Task.Delay(500); // the subscribers join before the first batch
        var feed = gateway.State.Models[EmulatedEngines.Model].KvEvents!;

        var prompt = EmulatedEngines.Prompt(11, 512);
        await Complete(gateway, prompt);
        await TestGateway.EventuallyAsync(async () => Enumerable.Range(0, 5).Any(e => feed.Adapter.KnownBlocks(e) >= 512 / 16), "the serving engine's stored blocks reach the index");
        var holder = Enumerable.Range(0, 5).Single(e => feed.Adapter.KnownBlocks(e) >= 512 / 16);
        var before = await Decisions(gateway, holder);

        for (var i = 0; i < 3; i++) await Complete(gateway, prompt);

        Assert.Equal(before + 3, await Decisions(gateway, holder));
        var metrics = await gateway.Client.GetStringAsync("/metrics");
        Assert.Contains("strata_gateway_kv_events_degraded", metrics);
        Assert.DoesNotContain("strata_gateway_kv_events_degraded{model=\"qwen3-30b-a3b\",backend=\"" + dpUrl + "#dp0\"} 1", metrics);
    }

    private static async Task Complete(TestGateway gateway, string prompt)
    {
        using var response = await gateway.Client.SendAsync(TestGateway.Post("/v1/completions",
            $"{{\"model\":\"{EmulatedEngines.Model}\",\"prompt\":\"{prompt}\",\"max_tokens\":4,\"stream\":false}}"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Dispatch decisions the gateway made for engine <paramref name="engine"/> of the model's pool.</summary>
    private static async Task<double> Decisions(TestGateway gateway, int engine)
    {
        var backend = gateway.State.Models[EmulatedEngines.Model].Backends[engine].Name;
        return await gateway.MetricAsync("strata_gateway_dispatch_decisions_total", ("backend", backend));
    }
}
