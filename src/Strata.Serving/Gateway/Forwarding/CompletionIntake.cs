using System.Text;
using Microsoft.AspNetCore.Http;
using Strata.Serving.Gateway.Admission;
using Strata.Serving.Gateway.Config;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>An accepted completion request: its ticket, the model's scheduler, and the body to forward.</summary>
public sealed record AcceptedRequest(AdmissionTicket Ticket, ModelScheduler Scheduler, ReadOnlyMemory<byte> Body);

/// <summary>
/// Everything between an authenticated completion request and its acceptance: headers it can be
/// forwarded with, its body within the limits, what scheduling reads from it, a model its tenant may
/// use, the <c>max_tokens</c> cap, its priority, and its tenant's limits. Every refusal is an
/// <see cref="OpenAiError"/> the endpoint answers and counts; a request refused here holds nothing.
/// </summary>
public sealed class CompletionIntake(GatewayState state, BodyBudget bodies, TenantInFlight tenants, RateLimits rates, TimeProvider time)
{
    private long _nextId;

    /// <param name="tenant">The caller's tenant; null with authentication off.</param>
    /// <param name="buffers">Where the body and the prompt are held; they must outlive the request.</param>
    /// <param name="bodyRead">Told the body's length once it holds that much of the <see cref="BodyBudget"/>.</param>
    public async Task<AcceptedRequest> AcceptAsync(HttpContext context, bool chat, string? tenant, RequestBuffers buffers, Action<long> bodyRead)
    {
        var arrivedAt = time.GetTimestamp();
        var config = state.Config;
        var allowed = tenant is null ? null : config.Tenant(tenant);
        ForwardableHeaders.Check(context.Request.Headers);
        var body = await RequestBody.ReadAsync(context.Request, config.MaxBodyBytes, buffers, bodies, config.MaxBodyBytesInFlight);
        bodyRead(body.Length);
        var request = CompletionRequestParser.Parse(body, chat, buffers);
        // A model the tenant may not use answers as one that does not exist, as OpenAI's API does.
        var scheduler = (allowed?.MayUse(request.Model) ?? true ? state.Models.GetValueOrDefault(request.Model) : null)
            ?? throw new OpenAiError(StatusCodes.Status404NotFound, $"The model '{request.Model}' does not exist or this API key may not use it; it may use {string.Join(", ", state.Models.Keys.Where(m => allowed?.MayUse(m) ?? true))}.", "invalid_request_error", "model", "model_not_found");
        (body, request) = MaxTokensCap.Apply(body, request, scheduler.Settings.MaxTokens, buffers);
        // With the model's tokenizer the prompt counts and hashes as the engine's token ids (docs/gateway.md, "The model's tokenizer").
        if (request.PromptTokenIds is null && scheduler.Settings.Tokenizer is { } tokenizer)
            request = request with { PromptTokenIds = tokenizer.Encode(Encoding.UTF8.GetString(request.PromptUtf8.Span)) };
        var ticket = new AdmissionTicket(Interlocked.Increment(ref _nextId), request, tenant, RequestPriority.Of(context.Request, request, allowed), Session(context.Request), arrivedAt, scheduler.Seconds(arrivedAt))
        {
            QueueShare = allowed?.QueueShare ?? 1,
        };
        if (tenant is not null) EnterTenantLimits(tenant, allowed!, ticket.PromptTokens + (request.MaxTokens ?? scheduler.Settings.MaxTokens));
        return new AcceptedRequest(ticket, scheduler, body);
    }

    /// <summary>Ends an accepted request's hold on its tenant's <c>max_in_flight</c>.</summary>
    public void Finished(AdmissionTicket ticket)
    {
        if (ticket.Tenant is { } tenant) tenants.Exit(tenant);
    }

    /// <summary>
    /// Counts the request against its tenant's <c>max_in_flight</c> (left in <see cref="Finished"/>) and
    /// rate limits, or throws the 429 of the first it is over, holding neither.
    /// </summary>
    private void EnterTenantLimits(string tenant, TenantSettings settings, int tokens)
    {
        if (!tenants.TryEnter(tenant, settings.MaxInFlight))
            throw new OpenAiError(StatusCodes.Status429TooManyRequests, $"This API key has {settings.MaxInFlight} requests queued or running, its max_in_flight; retry when one finishes.", "rate_limit_error", code: "rate_limit_exceeded") { RetryAfterSeconds = 1 };
        try
        {
            rates.Take(tenant, settings, tokens);
        }
        catch (OpenAiError)
        {
            tenants.Exit(tenant);
            throw;
        }
    }

    /// <summary>The <c>x-session-id</c> header: a conversation id for stickiness, for clients that do not (or cannot) set <c>user</c> per session.</summary>
    private static string? Session(HttpRequest http) =>
        http.Headers.TryGetValue("x-session-id", out var header) && header.ToString() is { Length: > 0 } session ? session : null;
}
