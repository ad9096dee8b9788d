using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Strata.Serving.Tests.Gateway;

/// <summary>How a <see cref="FakeEngine"/> misbehaves on completion requests.</summary>
public enum FakeFailure
{
    None,
    /// <summary>Answers 500 before any byte of a body.</summary>
    Error500,
    /// <summary>Answers 400, as an engine does when it judges the request invalid.</summary>
    Error400,
    /// <summary>Streams two chunks, then drops the connection once <see cref="FakeEngine.Break"/> is called.</summary>
    DieMidStream,
    /// <summary>Streams two chunks, then sends nothing until the request is aborted.</summary>
    StallMidStream,
}

/// <summary>
/// A minimal vLLM-like engine on a loopback port: OpenAI chat/completions (SSE or JSON, fixed
/// bytes so pass-through can be compared exactly), <c>/metrics</c> with vLLM names, <c>/health</c>,
/// <c>/v1/models</c>, and failures on demand. It records what it saw so tests can wait on events.
/// </summary>
public sealed class FakeEngine : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<HttpContext, byte> _active = new();
    private TaskCompletionSource _release = NewSignal();
    private readonly TaskCompletionSource _break = NewSignal();

    private FakeEngine(WebApplication app, string name, string[] models)
    {
        _app = app;
        Name = name;
        Models = models;
    }

    public string Name { get; }
    public string[] Models { get; }
    public Uri Url { get; private set; } = null!;
    public FakeFailure Failure { get; set; }
    public bool Healthy { get; set; } = true;
    public int Chunks { get; set; } = 5;

    /// <summary>When true, completion requests wait for <see cref="Release"/> before answering.</summary>
    public bool Hold { get; set; }

    public TimeSpan ChunkDelay { get; set; }

    /// <summary>How long a non-streaming answer takes before its first byte, as an engine generating the whole answer first does.</summary>
    public TimeSpan AnswerDelay { get; set; }
    public int CompletionRequests => _completionRequests;

    /// <summary>Request bodies in the order they arrived.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>Path and query, and headers, of completion requests in the order they arrived.</summary>
    public ConcurrentQueue<(string Target, Dictionary<string, string> Headers)> ReceivedHeads { get; } = new();
    public int Active => _active.Count;

    /// <summary>Completes when a completion request was aborted by its caller (the gateway) before it finished.</summary>
    public TaskCompletionSource Aborted { get; } = NewSignal();

    /// <summary>Completes when <see cref="StreamsStarted"/> reaches <see cref="StreamsStartedTarget"/>.</summary>
    public TaskCompletionSource StreamsStartedSignal { get; } = NewSignal();
    public int StreamsStartedTarget { get; set; } = int.MaxValue;
    public int StreamsStarted => _streamsStarted;

    private int _completionRequests;
    private int _streamsStarted;

    public static async Task<FakeEngine> StartAsync(string name, params string[] models)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var engine = new FakeEngine(app, name, models.Length == 0 ? ["m"] : models);
        app.MapPost("/v1/chat/completions", (HttpContext c) => engine.CompleteAsync(c, chat: true));
        app.MapPost("/v1/completions", (HttpContext c) => engine.CompleteAsync(c, chat: false));
        app.MapGet("/metrics", (HttpContext c) => c.Response.WriteAsync(engine.MetricsText()));
        app.MapGet("/health", (HttpContext c) => { c.Response.StatusCode = engine.Healthy ? 200 : 503; return Task.CompletedTask; });
        app.MapGet("/v1/models", (HttpContext c) => c.Response.WriteAsync(
            "{\"object\":\"list\",\"data\":[" + string.Join(",", engine.Models.Select(m => $"{{\"id\":\"{m}\",\"object\":\"model\",\"owned_by\":\"{name}\"}}")) + "]}"));
        await app.StartAsync();
        engine.Url = new Uri(app.Urls.First());
        return engine;
    }

    /// <summary>
    /// Lets a <see cref="FakeFailure.DieMidStream"/> stream die. Tests call it once the client saw the
    /// first chunks: a connection reset can make the receiver drop bytes it has not read yet, and
    /// the test is about a failure after the first byte.
    /// </summary>
    public void Break() => _break.TrySetResult();

    /// <summary>Lets held requests answer.</summary>
    public void Release() => Interlocked.Exchange(ref _release, NewSignal()).TrySetResult();

    /// <summary>Dies like a crashed engine: open connections drop and the port refuses new ones.</summary>
    public async Task KillAsync()
    {
        foreach (var context in _active.Keys) context.Abort();
        await _app.StopAsync(new CancellationToken(canceled: true));
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync(new CancellationToken(canceled: true));
        await _app.DisposeAsync();
    }

    /// <summary>The exact bytes a stream of this engine carries, for byte-for-byte comparisons.</summary>
    public string StreamBody(bool chat)
    {
        var text = new StringBuilder();
        for (var i = 0; i < Chunks; i++) text.Append("data: ").Append(Chunk(chat, i)).Append("\n\n");
        return text.Append("data: [DONE]\n\n").ToString();
    }

    public string JsonBody(bool chat) => chat
        ? $"{{\"id\":\"chatcmpl-{Name}\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"{Models[0]}\",\"system_fingerprint\":\"{Name}\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"{Content()}\"}},\"finish_reason\":\"stop\"}}],\"usage\":{{\"prompt_tokens\":3,\"completion_tokens\":{Chunks},\"total_tokens\":{Chunks + 3}}}}}"
        : $"{{\"id\":\"cmpl-{Name}\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\"{Models[0]}\",\"system_fingerprint\":\"{Name}\",\"choices\":[{{\"index\":0,\"text\":\"{Content()}\",\"logprobs\":null,\"finish_reason\":\"stop\"}}],\"usage\":{{\"prompt_tokens\":3,\"completion_tokens\":{Chunks},\"total_tokens\":{Chunks + 3}}}}}";

    private string Content() => string.Concat(Enumerable.Range(0, Chunks).Select(i => $"tok{i} "));

    private string Chunk(bool chat, int i)
    {
        var finish = i == Chunks - 1 ? "\"stop\"" : "null";
        return chat
            ? $"{{\"id\":\"chatcmpl-{Name}\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"{Models[0]}\",\"system_fingerprint\":\"{Name}\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"tok{i} \"}},\"finish_reason\":{finish}}}]}}"
            : $"{{\"id\":\"cmpl-{Name}\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\"{Models[0]}\",\"system_fingerprint\":\"{Name}\",\"choices\":[{{\"index\":0,\"text\":\"tok{i} \",\"logprobs\":null,\"finish_reason\":{finish}}}]}}";
    }

    private string MetricsText() =>
        "# HELP vllm:num_requests_running Number of requests in model execution batches.\n" +
        "# TYPE vllm:num_requests_running gauge\n" +
        $"vllm:num_requests_running{{engine=\"0\",model_name=\"{Models[0]}\"}} {Active}.0\n" +
        "# TYPE vllm:num_requests_waiting gauge\n" +
        $"vllm:num_requests_waiting{{engine=\"0\",model_name=\"{Models[0]}\"}} 0.0\n" +
        "# TYPE vllm:kv_cache_usage_perc gauge\n" +
        $"vllm:kv_cache_usage_perc{{engine=\"0\",model_name=\"{Models[0]}\"}} 0.25\n" +
        "# TYPE vllm:cache_config_info gauge\n" +
        "vllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\",enable_prefix_caching=\"True\",engine=\"0\",num_gpu_blocks=\"1000\"} 1.0\n";

    private async Task CompleteAsync(HttpContext context, bool chat)
    {
        Interlocked.Increment(ref _completionRequests);
        _active.TryAdd(context, 0);
        ReceivedHeads.Enqueue((context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        var cancel = context.RequestAborted;
        try
        {
            using var body = new StreamReader(context.Request.Body);
            var text = await body.ReadToEndAsync(cancel);
            Received.Enqueue(text);
            var json = System.Text.Json.JsonDocument.Parse(text);
            var stream = json.RootElement.TryGetProperty("stream", out var s) && s.GetBoolean();
            if (Hold) await _release.Task.WaitAsync(cancel);
            if (Failure is FakeFailure.Error500 or FakeFailure.Error400)
            {
                var status = Failure == FakeFailure.Error500 ? 500 : 400;
                context.Response.StatusCode = status;
                await context.Response.WriteAsync($"{{\"error\":{{\"message\":\"engine failure {status}\",\"type\":\"BadRequestError\",\"param\":null,\"code\":{status}}}}}", cancel);
                return;
            }
            if (!stream)
            {
                await Task.Delay(AnswerDelay, cancel);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonBody(chat), cancel);
                return;
            }
            context.Response.ContentType = "text/event-stream";
            if (Interlocked.Increment(ref _streamsStarted) >= StreamsStartedTarget) StreamsStartedSignal.TrySetResult();
            for (var i = 0; i < Chunks; i++)
            {
                if (i == 2 && Failure == FakeFailure.DieMidStream)
                {
                    await _break.Task.WaitAsync(cancel);
                    context.Abort();
                    return;
                }
                if (i == 2 && Failure == FakeFailure.StallMidStream) await Task.Delay(Timeout.Infinite, cancel);
                await context.Response.WriteAsync("data: " + Chunk(chat, i) + "\n\n", cancel);
                await context.Response.Body.FlushAsync(cancel);
                if (ChunkDelay > TimeSpan.Zero) await Task.Delay(ChunkDelay, cancel);
            }
            await context.Response.WriteAsync("data: [DONE]\n\n", cancel);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && cancel.IsCancellationRequested)
        {
            Aborted.TrySetResult();
        }
        finally
        {
            _active.TryRemove(context, out _);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
