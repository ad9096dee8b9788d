using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Queueing;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Admission;

/// <summary>
/// A request's facts as the queue and dispatch policies see them, and the engines that already
/// failed it (a retry must go elsewhere). Its prompt is hashed into KV blocks only when the
/// model's dispatch policy reads them, and again only if a reload changed the block size.
/// </summary>
public sealed class AdmissionTicket
{
    private PrefixBlockHasher? _hashedWith;
    private ulong[] _hashes = [];

    /// <param name="session">The <c>x-session-id</c> header, if any.</param>
    public AdmissionTicket(long id, CompletionRequest request, string? tenant, int priority, string? session, long arrivedAt, double arrivalSeconds)
    {
        Request = request;
        Id = id;
        Tenant = tenant;
        Priority = priority;
        Session = session;
        ArrivedAt = arrivedAt;
        PromptTokens = request.PromptTokenIds?.Length ?? PrefixBlockHasher.EstimateTokens(request.PromptUtf8.Length + request.TemplateBytes);
        Entry = new QueueEntry(id, arrivalSeconds, PromptTokens, Priority: priority, Tenant: tenant);
    }

    public long Id { get; }

    public CompletionRequest Request { get; }

    public string? Tenant { get; }

    /// <summary>The fraction of a model's queue this request's tenant may fill (its <c>queue_share</c>).</summary>
    public double QueueShare { get; init; } = 1;

    public int Priority { get; }

    /// <summary>The client's session id (<c>x-session-id</c>); <c>sticky</c> keys on it before <c>user</c>.</summary>
    public string? Session { get; }

    /// <summary>TimeProvider timestamp of arrival at the gateway; TTFT and queue TTL count from it.</summary>
    public long ArrivedAt { get; }

    /// <summary>Prompt length in tokens: the token ids given, else UTF-8 bytes / 4 (pseudo-tokens) of the prompt text and the tools and documents a chat template adds.</summary>
    public int PromptTokens { get; }

    public QueueEntry Entry { get; }

    /// <summary>The engines that failed this request before its first byte; a retry goes elsewhere.</summary>
    public HashSet<EngineLedger> Tried { get; } = [];

    public DispatchRequest DispatchRequest(PrefixBlockHasher? hasher)
    {
        if (hasher is not null && !ReferenceEquals(hasher, _hashedWith))
        {
            _hashes = Request.PromptTokenIds is { } ids ? hasher.HashTokens(ids) : hasher.HashUtf8(Request.PromptUtf8.Span);
            _hashedWith = hasher;
        }
        // Gimbal's user→engine map keys on the user only; without a user the session stands in, so it sticks per conversation.
        return new DispatchRequest(Id, PromptTokens, Request.User ?? Session, Session, Priority, Tenant, hasher is null ? default : _hashes);
    }
}
