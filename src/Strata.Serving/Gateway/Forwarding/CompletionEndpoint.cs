using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;
using Strata.Serving.Gateway.Admission;
using Strata.Serving.Gateway.Backends;
using Strata.Serving.Gateway.Metrics;
using Strata.Serving.OpenAi;
using Yarp.ReverseProxy.Forwarder;
using Strata.Core.Admission;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// <c>/v1/chat/completions</c> and <c>/v1/completions</c>: authenticate, accept
/// (<see cref="CompletionIntake"/>), admit, forward the body with YARP's <see cref="IHttpForwarder"/> (untouched but for a
/// <c>max_tokens</c> cap written where the client left the limit to the engine), and end every accepted
/// request as completed, failed or cancelled (docs/gateway.md, "Failure semantics"):
/// <list type="bullet">
/// <item>only what the engine did counts against it (<see cref="ForwardBlame"/>): a header the
/// gateway could not forward is the client's 400 before admission, and a request the HTTP client
/// would not send is a 400 with no retry and no health penalty;</item>
/// <item>the engine refuses, fails to connect, times out or answers 5xx before the first byte →
/// the request is retried on another engine, up to <c>retries</c> times; but a non-streaming
/// request, which sends nothing until its answer is whole, has a total timeout sized from its max
/// tokens (<see cref="Config.GatewayConfig.UpstreamTimeout"/>), and once an engine has read it, it is
/// not retried elsewhere and running out of time is a 504 that costs the engine nothing;</item>
/// <item>the engine breaks or stalls after the first byte → an SSE stream ends with a
/// <c>data: {"error":…}</c> event and a clean close; a plain JSON response is aborted, since its
/// status line is already sent;</item>
/// <item>the client leaves → the upstream request is aborted so the engine frees its slot.</item>
/// </list>
/// </summary>
public sealed class CompletionEndpoint(GatewayState state, GatewayMetrics metrics, IHttpForwarder forwarder, ForwarderInvoker invoker, CompletionIntake intake, BodyBudget bodies, TimeProvider time)
{
    public async Task HandleAsync(HttpContext context, bool chat)
    {
        // The body's bytes are held from the moment they are read until the request ends (a retry replays them).
        long held = 0;
        using var buffers = new RequestBuffers();
        try
        {
            await HandleAsync(context, chat, buffers, read => held = read);
        }
        finally
        {
            bodies.Give(held);
        }
    }

    private async Task HandleAsync(HttpContext context, bool chat, RequestBuffers buffers, Action<long> bodyRead)
    {
        string? tenant = null;
        AcceptedRequest accepted;
        try
        {
            tenant = ApiKeys.Authenticate(context.Request, state.Config.ApiKeys);
            accepted = await intake.AcceptAsync(context, chat, tenant, buffers, bodyRead);
        }
        catch (OpenAiError error)
        {
            metrics.Rejected(error.Status switch { 401 => "unauthorized", 404 => "unknown_model", 408 => "body_timeout", 413 => "too_large", 429 => "tenant_limit", 503 => "body_budget", _ => "invalid_request" }, tenant);
            await error.WriteAsync(context.Response);
            return;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client left while sending its body: nobody to answer, but it is counted.
            metrics.Rejected("client_left", tenant);
            return;
        }
        var (ticket, scheduler, body) = accepted;
        metrics.Accepted(scheduler.Name, tenant, ticket.PromptTokens);
        // Anything unexpected still ends the request as failed, so the outcomes always add up to accepted.
        var outcome = RequestOutcome.Failed;
        try
        {
            outcome = await ForwardAsync(context, scheduler, ticket, body);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            outcome = RequestOutcome.Cancelled;
        }
        finally
        {
            intake.Finished(ticket);
            metrics.Finished(scheduler.Name, tenant, outcome);
        }
    }

    private async Task<RequestOutcome> ForwardAsync(HttpContext context, ModelScheduler scheduler, AdmissionTicket ticket, ReadOnlyMemory<byte> body)
    {
        var config = state.Config;
        var stream = ticket.Request.Stream;
        var timeout = config.UpstreamTimeout(stream, ticket.Request.MaxTokens ?? scheduler.Settings.MaxTokens);
        var requestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = timeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        // The last engine's 5xx answer, or how it failed without one, for when no engine is left.
        EngineAnswer? lastAnswer = null;
        string? lastFailure = null;
        // The engine a retry moves away from; counted once the retry has an engine to go to.
        Backend? retryFrom = null;
        for (var attempt = 0; ; attempt++)
        {
            BackendLease lease;
            try
            {
                lease = await scheduler.AdmitAsync(ticket, context.RequestAborted);
            }
            catch (AdmissionRejectedException rejected)
            {
                if (rejected.Reason == AdmissionRejection.EveryBackendFailed && lastAnswer is not null) await lastAnswer.WriteAsync(context.Response);
                else await AdmissionError(rejected, lastFailure).WriteAsync(context.Response);
                return RequestOutcome.Failed;
            }
            if (retryFrom is not null) metrics.Retried(scheduler.Name, retryFrom.Name);
            // Every path below releases the lease with what it learned about the engine; this catches the unforeseen ones.
            try
            {
                var replay = ReplayStream(body);
                context.Request.Body = replay;
                // The body is whole and may carry a written cap (MaxTokensCap): send it with its own length, however it arrived.
                context.Request.Headers.TransferEncoding = default;
                context.Request.ContentLength = body.Length;
                var observed = new UpstreamAttempt(lease, time, context.RequestAborted, canRetry: attempt < config.Retries);
                var error = await forwarder.SendAsync(context, lease.Backend.Destination, invoker.Client, requestConfig, new GatewayTransformer(observed, config.ApiKeys.Count > 0));
                if (context.RequestAborted.IsCancellationRequested) return RequestOutcome.Cancelled;
                if (error != ForwarderError.None && await AnswerUnforwardedAsync(context, error) is { } unforwarded) return unforwarded;
                // The engine read the whole request: from here a non-streaming request is the engine's to answer, however long it takes.
                var engineHasIt = replay.Position == replay.Length;
                if (error == ForwarderError.RequestTimedOut && !stream && engineHasIt)
                {
                    lease.Release(LeaseEnd.NoVerdict);
                    context.Response.Clear();
                    await new OpenAiError(StatusCodes.Status504GatewayTimeout, $"The engine {lease.Backend.Name} did not finish this non-streaming answer within {timeout.TotalSeconds:0.###} s (non_streaming_timeout_s, or sized from max_tokens). It was not retried, since the engine had started on it; stream the request to see its progress.", "server_error", code: "upstream_timeout").WriteAsync(context.Response);
                    return RequestOutcome.Failed;
                }
                if (observed.HeldBack is not null || (error != ForwarderError.None && !context.Response.HasStarted))
                {
                    // Nothing reached the client: try another engine, or say why none could answer.
                    lease.Release(LeaseEnd.EngineFailed);
                    ticket.Tried.Add(lease.Backend.Ledger);
                    lastAnswer = observed.HeldBack;
                    lastFailure = $"The engine {lease.Backend.Name} {(lastAnswer is { } answer ? $"answered {answer.Status}" : $"failed ({error})")}";
                    context.Response.Clear();
                    // A 5xx ended the engine's work; a failure after a non-streaming request went out may not have, so it is not run twice.
                    if (observed.CanRetry && (stream || lastAnswer is not null || !engineHasIt))
                    {
                        retryFrom = lease.Backend;
                        continue;
                    }
                    await new OpenAiError(StatusCodes.Status502BadGateway, $"{lastFailure} and the request is not retried.", "server_error", code: "upstream_error").WriteAsync(context.Response);
                    return RequestOutcome.Failed;
                }
                RecordLatency(scheduler.Name, ticket, observed);
                if (observed.UpstreamFailure is not null || error != ForwarderError.None)
                {
                    lease.Release(LeaseEnd.EngineFailed);
                    var broken = new OpenAiError(StatusCodes.Status502BadGateway, $"The engine {lease.Backend.Name} stopped mid-response: {observed.UpstreamFailure?.Message ?? error.ToString()}", "server_error", code: "upstream_error");
                    if (observed.IsEventStream) await ServerSentEvents.WriteErrorAsync(context.Response, broken, observed.StoppedInsideEvent);
                    else context.Abort();
                    return RequestOutcome.Failed;
                }
                var answered = context.Response.StatusCode;
                lease.Release(answered >= 500 ? LeaseEnd.EngineFailed : LeaseEnd.EngineAnswered);
                return answered >= 400 ? RequestOutcome.Failed : RequestOutcome.Completed;
            }
            finally
            {
                lease.Release(LeaseEnd.NoVerdict);
            }
        }
    }

    /// <summary>The body as a stream the forwarder reads, without a copy; its position tells how much the engine was sent.</summary>
    private static MemoryStream ReplayStream(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : throw new InvalidOperationException("Request bodies are held in arrays (RequestBuffers).");

    /// <summary>
    /// Ends a forward that failed through no fault of the engine (<see cref="ForwardBlame"/>): the client
    /// left, or the request could not be sent as the client wrote it, which no other engine would
    /// take either. Null when the engine is to blame, which the caller handles.
    /// </summary>
    private static async Task<RequestOutcome?> AnswerUnforwardedAsync(HttpContext context, ForwarderError error)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        switch (ForwardBlame.Of(error, exception))
        {
            case Blame.ClientGone:
                return RequestOutcome.Cancelled;
            case Blame.Client:
                context.Response.Clear();
                await OpenAiError.InvalidRequest($"The gateway cannot forward this request to an engine: {exception?.Message ?? error.ToString()}", null).WriteAsync(context.Response);
                return RequestOutcome.Failed;
            default:
                return null;
        }
    }

    private void RecordLatency(string model, AdmissionTicket ticket, UpstreamAttempt observed)
    {
        var lease = observed.Lease;
        if (!observed.IsEventStream || lease.FirstEventAt == 0) return;
        metrics.Ttft(model, lease.Backend.Name, time.GetElapsedTime(ticket.ArrivedAt, lease.FirstEventAt));
        if (lease.OutputEvents >= 2)
            metrics.Tpot(model, lease.Backend.Name, time.GetElapsedTime(lease.FirstEventAt, lease.LastEventAt) / (lease.OutputEvents - 1));
    }

    /// <param name="lastFailure">How the last engine tried failed this request, when one did.</param>
    private static OpenAiError AdmissionError(AdmissionRejectedException rejected, string? lastFailure) => rejected.Reason switch
    {
        AdmissionRejection.QueueFull or AdmissionRejection.QueueShareFull or AdmissionRejection.QueueTimeout =>
            new OpenAiError(StatusCodes.Status429TooManyRequests, rejected.Message, "rate_limit_error", code: "rate_limit_exceeded") { RetryAfterSeconds = rejected.RetryAfterSeconds },
        AdmissionRejection.EveryBackendFailed =>
            new OpenAiError(StatusCodes.Status502BadGateway, $"{rejected.Message} {lastFailure}.", "server_error", code: "upstream_error"),
        _ => new OpenAiError(StatusCodes.Status503ServiceUnavailable, rejected.Message, "server_error", code: "no_healthy_engine") { RetryAfterSeconds = 1 },
    };
}
