using System.Runtime.InteropServices;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Engine;

namespace Strata.Emulation;

/// <summary>
/// One emulated server's HTTP endpoint, vLLM's OpenAI-compatible routes: <c>/v1/chat/completions</c>,
/// <c>/v1/completions</c>, <c>/v1/models</c>, <c>/health</c>, <c>/metrics</c>, in front of the server's DP ranks as
/// <c>vllm serve --data-parallel-size N</c> puts one API server in front of N engine cores. A completion goes to the
/// rank its <c>X-data-parallel-rank</c> header names, else where vLLM's DP balancer puts it
/// (<see cref="DataParallelRouter"/>); <c>/metrics</c> has every rank's series. Prompt tokens are estimated from
/// UTF-8 bytes (or counted by the tokenizer) and the prompt's block hashes come from its text
/// (<see cref="PrefixBlockHasher"/>), so a rank's prefix cache hits on repeated real text.
/// </summary>
internal sealed class EngineServer : IAsyncDisposable
{
    /// <summary>vLLM's header pinning a request to a DP rank (<c>OpenAIServing._get_data_parallel_rank</c>, <c>vllm/entrypoints/openai/engine/serving.py</c>).</summary>
    public const string DataParallelRankHeader = "X-data-parallel-rank";

    private readonly EmulatedEngine _engine;
    private readonly EmulatorOptions _options;
    private readonly FailureInjection _failures;
    private readonly PrefixBlockHasher _hasher;
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<HttpContext, byte> _inFlight = new();
    private readonly Random _errors;
    private readonly DateTimeOffset _readyAt;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _crashed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;
    private int _crashing;

    /// <param name="index">The server's index; its port is the first port + index and its error draws are seeded by its first engine's index.</param>
    public EngineServer(int index, EmulatedEngine engine, EmulatorOptions options, TimeProvider time)
    {
        _engine = engine;
        _options = options;
        _failures = options.Failures;
        _time = time;
        _hasher = new PrefixBlockHasher(engine.BlockSize);
        _errors = new Random(options.Seed * 31 + index * engine.Ranks);
        _readyAt = time.GetUtcNow() + TimeSpan.FromSeconds(_failures.SlowStartSeconds);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.Host}:{(options.Port == 0 ? 0 : options.Port + index)}");
        // A crash must not wait out the default 30 s drain: its connections are already reset.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        _app = builder.Build();
        _app.MapGet("/health", (RequestDelegate)Health);
        _app.MapGet("/v1/models", (RequestDelegate)Models);
        _app.MapGet("/metrics", (RequestDelegate)Metrics);
        _app.MapPost("/v1/completions", context => Complete(context, CompletionApi.Completions));
        _app.MapPost("/v1/chat/completions", context => Complete(context, CompletionApi.Chat));
    }

    /// <summary>Where the engine listens, known once started.</summary>
    public Uri Url => new(_app.Urls.First());

    /// <summary>Completes when the engine crashed (<see cref="FailureInjection.CrashAfter"/>).</summary>
    public Task Crashed => _crashed.Task;

    public Task StartAsync(CancellationToken cancel) => _app.StartAsync(cancel);

    private bool Ready => _time.GetUtcNow() >= _readyAt;

    private async Task Health(HttpContext context)
    {
        context.Response.StatusCode = Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        await context.Response.CompleteAsync();
    }

    private async Task Models(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        json.WriteStartObject();
        json.WriteString("id", _options.ModelName);
        json.WriteString("object", "model");
        json.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        json.WriteString("owned_by", "vllm");
        json.WriteString("root", _options.ModelName);
        json.WriteNull("parent");
        json.WriteNumber("max_model_len", _engine.MaxModelLen);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private async Task Metrics(HttpContext context)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await _engine.WriteMetricsAsync(context.Response.Body, context.RequestAborted);
    }

    private async Task Complete(HttpContext context, CompletionApi endpoint)
    {
        if (!Ready)
        {
            await CompletionWriter.Error(context.Response, StatusCodes.Status503ServiceUnavailable, "ServiceUnavailableError", "The engine is still starting (--slow-start).");
            return;
        }
        if (_failures.CrashAfter is { } crashAfter && Interlocked.Increment(ref _requests) > crashAfter)
        {
            context.Abort();
            Crash();
            return;
        }
        if (_failures.ErrorRate > 0 && NextErrorDraw() < _failures.ErrorRate)
        {
            await CompletionWriter.Error(context.Response, StatusCodes.Status500InternalServerError, "InternalServerError", "Injected failure (--error-rate).");
            return;
        }
        _inFlight.TryAdd(context, 0);
        try
        {
            await Serve(context, endpoint);
        }
        catch (BadRequestException e)
        {
            await CompletionWriter.Error(context.Response, StatusCodes.Status400BadRequest, "BadRequestError", e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left (or the engine crashed under it); the engine already dropped the request.
        }
        finally
        {
            _inFlight.TryRemove(context, out _);
        }
    }

    private async Task Serve(HttpContext context, CompletionApi endpoint)
    {
        var cancel = context.RequestAborted;
        EngineRequest parsed;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancel);
            parsed = EngineRequest.Parse(body.RootElement, endpoint);
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"The request body is not valid JSON: {e.Message}");
        }
        if (parsed.Model != _options.ModelName)
        {
            await CompletionWriter.Error(context.Response, StatusCodes.Status404NotFound, "NotFoundError", $"The model `{parsed.Model}` does not exist.");
            return;
        }
        var rank = RequestedRank(context.Request);
        // The model's token ids when a tokenizer is given, else pseudo-tokens of four UTF-8 bytes.
        var ids = _options.Tokenizer?.Encode(parsed.PromptText);
        var utf8 = ids is null ? Encoding.UTF8.GetBytes(parsed.PromptText) : null;
        var promptTokens = ids?.Length ?? PrefixBlockHasher.EstimateTokens(utf8!.Length);
        var maxTokens = parsed.MaxTokens ?? _options.DefaultMaxTokens;
        if (promptTokens == 0) throw new BadRequestException("The prompt is empty.");
        if (promptTokens + maxTokens > _engine.MaxModelLen)
            throw new BadRequestException($"This model's maximum context length is {_engine.MaxModelLen} tokens. However, you requested " +
                $"{promptTokens + maxTokens} tokens ({promptTokens} in the messages, {maxTokens} in the completion). Please reduce the length of the messages or completion.");

        // Chained block hashes as prefix segments: requests with equal leading tokens share leading KV blocks.
        var prefix = (ids is null ? _hasher.HashUtf8(utf8) : _hasher.HashTokens(ids)).Select(hash => new PrefixSegment(hash, _engine.BlockSize)).ToArray();
        var tokens = ids ?? MemoryMarshal.Cast<byte, int>(utf8.AsSpan(0, utf8!.Length / sizeof(int) * sizeof(int))).ToArray();
        var request = _engine.Submit(new RequestSpec(0, promptTokens, maxTokens) { Prefix = prefix, Priority = parsed.Priority }, rank, tokens);
        try
        {
            var writer = new CompletionWriter(context.Response, endpoint, _options.ModelName);
            var complete = parsed.Stream ? await Stream(request, writer, parsed.IncludeUsage, cancel) : await Whole(request, writer, cancel);
            // The engine stopped under the request (a crash): reset the connection as a dying server would.
            if (!complete) context.Abort();
        }
        finally
        {
            if (!request.Tokens.Completion.IsCompleted) _engine.Abort(request);
        }
    }

    /// <summary>
    /// The DP rank the request's <c>X-data-parallel-rank</c> header names (read case-insensitively; a value that is not
    /// an integer is ignored, as vLLM's <c>int(rank_str)</c> under <c>except ValueError</c> is); null without one. vLLM
    /// refuses a rank outside its engine cores with a 400 (<c>InputProcessor.process_inputs</c>,
    /// <c>vllm/v1/engine/input_processor.py</c>: "data_parallel_rank … is out of range [0, N)"); so does this.
    /// </summary>
    private int? RequestedRank(HttpRequest request)
    {
        var value = request.Headers[DataParallelRankHeader];
        if (value.Count == 0 || !int.TryParse(value[0], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var rank))
            return null;
        if (rank < 0 || rank >= _engine.Ranks)
            throw new BadRequestException($"{DataParallelRankHeader}: data_parallel_rank {rank} is out of range [0, {_engine.Ranks}); " +
                $"this server runs --data-parallel-size {_engine.Ranks}, ranks 0..{_engine.Ranks - 1}.");
        return rank;
    }

    /// <summary>Streams the tokens as they come; false when the engine ended before the last one.</summary>
    private async Task<bool> Stream(EmulatedRequest request, CompletionWriter writer, bool includeUsage, CancellationToken cancel)
    {
        var sent = 0;
        await foreach (var number in request.Tokens.ReadAllAsync(cancel))
        {
            if (sent == _failures.StallAfterTokens) await Task.Delay(Timeout.Infinite, cancel);
            if (sent == 0) await writer.StartStream(cancel);
            await writer.Token(PseudoTokenText.Generated(number - 1), number == request.MaxTokens ? "length" : null, cancel);
            sent++;
        }
        if (sent < request.MaxTokens) return false;
        await writer.EndStream(request.PromptTokens, includeUsage ? sent : null, cancel);
        return true;
    }

    /// <summary>Answers once the last token is there; false when the engine ended before it.</summary>
    private async Task<bool> Whole(EmulatedRequest request, CompletionWriter writer, CancellationToken cancel)
    {
        var text = new StringBuilder();
        var received = 0;
        await foreach (var number in request.Tokens.ReadAllAsync(cancel))
        {
            if (received == _failures.StallAfterTokens) await Task.Delay(Timeout.Infinite, cancel);
            text.Append(PseudoTokenText.Generated(number - 1));
            received++;
        }
        if (received < request.MaxTokens) return false;
        await writer.Full(text.ToString(), request.PromptTokens, received, cancel);
        return true;
    }

    private double NextErrorDraw()
    {
        lock (_errors) return _errors.NextDouble();
    }

    /// <summary>Dies as a crashed process would: open connections reset, listener closed, engine stopped.</summary>
    private void Crash()
    {
        if (Interlocked.Exchange(ref _crashing, 1) == 1) return;
        foreach (var context in _inFlight.Keys) context.Abort();
        _ = Task.Run(async () =>
        {
            await _app.StopAsync();
            await _engine.DisposeAsync();
            _crashed.TrySetResult();
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _crashing, 1) == 0)
        {
            foreach (var context in _inFlight.Keys) context.Abort();
            await _app.StopAsync();
            await _engine.DisposeAsync();
        }
        else await Crashed;
        await _app.DisposeAsync();
    }
}
