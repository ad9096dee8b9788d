using System.Net;
using System.Net.Sockets;
using Strata.Emulation;

namespace Strata.Serving.Tests.Emulation;

/// <summary>Each injected failure behaves as <c>strata emulate --help</c> states.</summary>
public sealed class FailureInjectionTests
{
    [Fact]
    public async Task Error_rate_answers_that_fraction_with_500_before_any_token()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 20, failures: new FailureInjection(ErrorRate: 0.5));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++) statuses.Add((await engines.Complete("hello", maxTokens: 1)).StatusCode);

        var errors = statuses.Count(s => s == HttpStatusCode.InternalServerError);
        Assert.InRange(errors, 8, 32);
        Assert.Equal(40 - errors, statuses.Count(s => s == HttpStatusCode.OK));
    }

    [Fact]
    public async Task Crash_after_n_resets_open_streams_and_closes_the_listener()
    {
        await using var engines = await EmulatedEngines.Start(failures: new FailureInjection(CrashAfter: 2));
        (await engines.Complete("first", maxTokens: 2)).EnsureSuccessStatusCode();
        using var open = await engines.StartStream("second, still streaming", maxTokens: 5000);
        var body = await open.Content.ReadAsStreamAsync();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => engines.Complete("third", maxTokens: 2));
        await engines.Emulator.Crashes[0].WaitAsync(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            var buffer = new byte[4096];
            while (await body.ReadAsync(buffer) > 0) { }
        });
        using var fresh = new HttpClient();
        var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => fresh.GetAsync(new Uri(engines.Url, "/health")));
        Assert.IsType<SocketException>(refused.InnerException);
    }

    [Fact]
    public async Task Slow_start_answers_503_until_ready()
    {
        await using var engines = await EmulatedEngines.Start(failures: new FailureInjection(SlowStartSeconds: 4));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await engines.Http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await engines.Complete("too early", maxTokens: 1)).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await engines.Http.GetAsync("/health")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "/health never turned 200.");
            await Task.Delay(50);
        }
        Assert.Equal(HttpStatusCode.OK, (await engines.Complete("ready now", maxTokens: 1)).StatusCode);
    }

    [Fact]
    public async Task Stall_after_tokens_stops_the_stream_but_keeps_it_open()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 5, failures: new FailureInjection(StallAfterTokens: 3));
        using var response = await engines.StartStream("tell me a long story", maxTokens: 20);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            while (await reader.ReadLineAsync(patience.Token) is { } line)
                if (line.StartsWith("data: ")) events.Add(line);
        }
        catch (OperationCanceledException)
        {
            // Still open after 2 s (20 tokens take ~0.1 s here): the stream stalled.
        }

        Assert.Equal(3, events.Count);
        Assert.DoesNotContain("data: [DONE]", events);
        // The model still finished the request and freed its KV blocks; only the stream hangs.
        await engines.WaitForMetric("vllm:num_requests_running", v => v == 0);
    }
}
