using System.Runtime.InteropServices;
using System.Text;
using Strata.KvEvents;
using Strata.Serving.Gateway.Signals;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// <c>prefix_mode: precise</c> in front of real engines: the index learns only from the engines' KV events over ZMQ
/// (vLLM's wire format, published here by Strata.KvEvents' publisher on each engine's behalf), routes a repeated
/// prompt to the engine that stored it, and, when an engine's publisher dies, learns that engine from routing
/// decisions instead and says so in <c>/metrics</c>.
/// </summary>
public sealed class KvEventRoutingTests
{
    private const int BlockSize = 16;

    private sealed record Publisher(KvEventPublisher Events, string Source) : IDisposable
    {
        public static Publisher Start()
        {
            var (port, replay) = (LoopbackPorts.Run(1), LoopbackPorts.Run(1));
            var events = new KvEventPublisher(new KvEventPublisherOptions { Endpoint = $"tcp://*:{port}", ReplayEndpoint = $"tcp://*:{replay}" });
            return new Publisher(events, $"{{endpoint: tcp://127.0.0.1:{port}, replay_endpoint: tcp://127.0.0.1:{replay}}}");
        }

        public void Dispose() => Events.Dispose();
    }

    /// <summary>The prompt's pseudo-token ids as the gateway counts a prompt without a tokenizer: four UTF-8 bytes each, little-endian.</summary>
    private static int[] PseudoTokens(string prompt)
    {
        var bytes = Encoding.UTF8.GetBytes(prompt);
        return MemoryMarshal.Cast<byte, int>(bytes.AsSpan(0, bytes.Length / (4 * BlockSize) * 4 * BlockSize)).ToArray();
    }

    private static string Prompt(int seed) =>
        string.Concat(Enumerable.Range(0, 64).Select(i => $"line {seed}-{i}: the quick brown fox jumps over the lazy dog. "));

    private static HttpRequestMessage Completion(string prompt) =>
        TestGateway.Post("/v1/completions", $"{{\"model\":\"m\",\"stream\":false,\"max_tokens\":4,\"prompt\":\"{prompt}\"}}");

    [Fact]
    public async Task Precise_mode_routes_a_prompt_to_the_engine_whose_events_say_it_holds_it_and_degrades_when_they_stop()
    {
        await using var a = await FakeEngine.StartAsync("a");
        await using var b = await FakeEngine.StartAsync("b");
        using var eventsA = Publisher.Start();
        var eventsB = Publisher.Start();
        var yaml = $"health: {{interval_ms: 100, timeout_ms: 1000}}\nmodels:\n  - name: m\n    backends: [{{url: {a.Url.AbsoluteUri}, kv_events: {eventsA.Source}}}, {{url: {b.Url.AbsoluteUri}, kv_events: {eventsB.Source}}}]\n    dispatch: {{name: llmd, prefix_mode: precise}}\n";
        await using var gateway = await TestGateway.StartAsync(yaml);
        var feed = gateway.State.Models["m"].KvEvents!;

        // Engine b stores the prompt's blocks (as vLLM's BlockStored: engine hashes are opaque, token ids are the key).
        var prompt = Prompt(1);
        var tokens = PseudoTokens(prompt);
        var stored = new BlockStored(Enumerable.Range(0, tokens.Length / BlockSize).Select(i => (EngineBlockHash)(ulong)(1000 + i)).ToList(), null, tokens, BlockSize);
        await TestGateway.EventuallyAsync(async () =>
        {
            eventsB.Events.Publish([stored]); // until the subscriber has joined (ZMQ drops what a late subscriber missed)
            return feed.Adapter.KnownBlocks(1) > 0;
        }, "engine b's stored blocks reach the index");

        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.Client.SendAsync(Completion(prompt));
            response.EnsureSuccessStatusCode();
        }
        Assert.Equal(3, b.CompletionRequests);
        Assert.Equal(0, a.CompletionRequests);
        Assert.Equal(0, feed.IndexBlocks(0)); // routing decisions taught the index nothing: precise mode

        // b's publisher dies: its feed degrades (no replay answer), and b is indexed from routing decisions meanwhile.
        eventsB.Dispose();
        await TestGateway.EventuallyAsync(async () => feed.Stats.ElementAt(1).State == KvEventSubscriberState.Degraded, "engine b's feed degrades");
        var metrics = await gateway.Client.GetStringAsync("/metrics");
        Assert.Contains($"strata_gateway_kv_events_degraded{{model=\"m\",backend=\"{b.Url.AbsoluteUri.TrimEnd('/')}\"}} 1", metrics);
        Assert.Contains($"strata_gateway_kv_events_degraded{{model=\"m\",backend=\"{a.Url.AbsoluteUri.TrimEnd('/')}\"}} 0", metrics);
        Assert.Matches("strata_gateway_kv_events_consumed_total\\{model=\"m\",backend=\"[^\"]+\"\\} [1-9]", metrics);

        // A fresh prompt served by b is recorded on b from the route (a's feed is healthy: a learns from events only).
        string? learned = null;
        for (var seed = 2; seed < 12 && learned is null; seed++)
        {
            var before = feed.IndexBlocks(1);
            if (await RoutedTo(gateway, Prompt(seed), a, b) == "b")
            {
                Assert.True(feed.IndexBlocks(1) > before, "a degraded engine learns the prompts routed to it");
                learned = Prompt(seed);
            }
        }
        Assert.NotNull(learned);
        for (var i = 0; i < 2; i++) Assert.Equal("b", await RoutedTo(gateway, learned, a, b));
        Assert.Equal(0, feed.IndexBlocks(0));
    }

    /// <summary>
    /// Reloads replace a precise model's KV-event feed while its subscribers apply batches under the scheduler's lock:
    /// the old feed is stopped outside that lock, so a reload never waits on a subscriber that waits on it.
    /// </summary>
    [Fact]
    public async Task Reloads_while_events_flow_never_deadlock()
    {
        await using var a = await FakeEngine.StartAsync("a");
        using var events = Publisher.Start();
        string Yaml(int lru) => $"health: {{interval_ms: 100, timeout_ms: 1000}}\nmodels:\n  - name: m\n    backends: [{{url: {a.Url.AbsoluteUri}, kv_events: {events.Source}}}]\n    dispatch: {{name: llmd, prefix_mode: precise, lru_capacity_blocks: {lru}}}\n";
        await using var gateway = await TestGateway.StartAsync(Yaml(1000));
        var tokens = PseudoTokens(Prompt(3));
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(() =>
        {
            for (var i = 0UL; !stop.IsCancellationRequested; i++)
                events.Events.Publish([new BlockStored([(EngineBlockHash)(5000 + i)], null, tokens[..BlockSize], BlockSize)]);
        });

        var reloads = Task.Run(() =>
        {
            for (var i = 0; i < 40; i++)
                gateway.State.Apply(Strata.Serving.Gateway.Config.GatewayConfigFile.Parse("listen: " + gateway.State.Config.Listen + "\n" + Yaml(1000 + i), "reload.yaml"));
        });

        Assert.Same(reloads, await Task.WhenAny(reloads, Task.Delay(TimeSpan.FromSeconds(60))));
        await stop.CancelAsync();
        await publishing;
        Assert.NotNull(gateway.State.Models["m"].KvEvents);
    }

    /// <summary>Sends the prompt and says which engine served it.</summary>
    private static async Task<string> RoutedTo(TestGateway gateway, string prompt, FakeEngine a, FakeEngine b)
    {
        var (beforeA, beforeB) = (a.CompletionRequests, b.CompletionRequests);
        using var response = await gateway.Client.SendAsync(Completion(prompt));
        response.EnsureSuccessStatusCode();
        return a.CompletionRequests > beforeA ? "a" : b.CompletionRequests > beforeB ? "b" : "none";
    }
}
