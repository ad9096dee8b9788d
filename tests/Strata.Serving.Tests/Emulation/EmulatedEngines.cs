using System.Globalization;
using System.Net.Http.Json;
using Strata.Emulation;
using Strata.Serving.Tokenization;
using Strata.Engine.Cluster;
using Strata.Core.Dispatch.PrefixCache;

namespace Strata.Serving.Tests.Emulation;

/// <summary>Emulated engines on loopback ports the OS picks, with a client and helpers to read their answers and metrics.</summary>
internal sealed class EmulatedEngines : IAsyncDisposable
{
    public const string Model = "qwen3-30b-a3b";

    private EmulatedEngines(Emulator emulator)
    {
        Emulator = emulator;
        Url = emulator.Urls[0];
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Gimbal's A100 cluster cut to one DP engine: the smallest preset-shaped model that still batches, caches and preempts.</summary>
    public static ClusterConfig OneEngine { get; } = ClusterPresets.GimbalA100 with { DataParallel = 1 };

    public Emulator Emulator { get; }
    public Uri Url { get; }
    public HttpClient Http { get; }

    public static async Task<EmulatedEngines> Start(ClusterConfig? cluster = null, double timeScale = 1, FailureInjection? failures = null, int engines = 1,
        ModelTokenizer? tokenizer = null, int dataParallelSize = 1, bool expertParallel = false, KvEventsConfig? kvEvents = null) =>
        new(await Emulator.StartAsync(new EmulatorOptions
        {
            Cluster = cluster ?? OneEngine,
            Engines = engines,
            DataParallelSize = dataParallelSize,
            EnableExpertParallel = expertParallel,
            Port = 0,
            TimeScale = timeScale,
            Failures = failures ?? FailureInjection.None,
            Tokenizer = tokenizer,
            KvEvents = kvEvents,
        }));

    public Task<HttpResponseMessage> Complete(string prompt, int maxTokens, bool stream = false, CancellationToken cancel = default) =>
        Http.PostAsJsonAsync("/v1/completions", new Dictionary<string, object>
        {
            ["model"] = Model, ["prompt"] = prompt, ["max_tokens"] = maxTokens, ["stream"] = stream,
        }, cancel);

    /// <summary>Sends a streaming completion and returns once its headers (the first token) are in.</summary>
    public Task<HttpResponseMessage> StartStream(string prompt, int maxTokens, CancellationToken cancel = default, string? rank = null) =>
        Http.SendAsync(Completion(prompt, maxTokens, stream: true, rank), HttpCompletionOption.ResponseHeadersRead, cancel);

    /// <summary>A completion pinned by vLLM's <c>X-data-parallel-rank</c> header (sent as <paramref name="header"/> spells it) to <paramref name="rank"/>.</summary>
    public Task<HttpResponseMessage> CompleteOnRank(string prompt, int maxTokens, string rank, string header = "X-data-parallel-rank") =>
        Http.SendAsync(Completion(prompt, maxTokens, stream: false, rank, header));

    private static HttpRequestMessage Completion(string prompt, int maxTokens, bool stream, string? rank, string header = "X-data-parallel-rank")
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new Dictionary<string, object> { ["model"] = Model, ["prompt"] = prompt, ["max_tokens"] = maxTokens, ["stream"] = stream }),
        };
        if (rank is not null) message.Headers.TryAddWithoutValidation(header, rank);
        return message;
    }

    /// <summary>The value of a metric summed over its label sets (e.g. every engine's series), or over those of one <paramref name="engine"/> label.</summary>
    public async Task<double> Metric(string name, int? engine = null)
    {
        var text = await Http.GetStringAsync("/metrics");
        var total = 0.0;
        var found = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(name + "{") || line.StartsWith(name + " "))) continue;
            if (engine is { } e && !line.Contains($"engine=\"{e}\"", StringComparison.Ordinal)) continue;
            total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            found = true;
        }
        Assert.True(found, $"/metrics has no {name}:\n{text}");
        return total;
    }

    /// <summary>Polls a metric until <paramref name="condition"/> holds; events beat sleeps of guessed length.</summary>
    public async Task<double> WaitForMetric(string name, Func<double, bool> condition, double timeoutSeconds = 20, int? engine = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var value = await Metric(name, engine);
            if (condition(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"{name} stayed at {value} for {timeoutSeconds} s.");
            await Task.Delay(20);
        }
    }

    /// <summary>A prompt of exactly <paramref name="tokens"/> pseudo-tokens whose text is fixed by <paramref name="key"/>.</summary>
    public static string Prompt(ulong key, int tokens)
    {
        var text = new System.Text.StringBuilder();
        PseudoTokenText.Append(text, key, 0, tokens);
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}
