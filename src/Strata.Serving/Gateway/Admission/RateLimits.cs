using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Strata.Serving.Gateway.Config;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Admission;

/// <summary>
/// Each tenant's <c>requests_per_minute</c> and <c>tokens_per_minute</c>, as token buckets that
/// refill continuously. A request counts its prompt-token estimate plus the output tokens it may
/// generate (its max tokens, after the model's cap), as OpenAI counts toward its token limits. Over
/// either limit it is a 429 with <c>Retry-After</c> and OpenAI's <c>x-ratelimit-*</c> headers; it
/// takes from neither bucket unless both have room.
/// </summary>
public sealed class RateLimits(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Buckets> _tenants = new(StringComparer.Ordinal);

    public void Take(string tenant, TenantSettings settings, int tokens)
    {
        if (settings.RequestsPerMinute is null && settings.TokensPerMinute is null) return;
        var now = time.GetTimestamp();
        var buckets = _tenants.GetOrAdd(tenant, _ => new Buckets());
        lock (buckets)
        {
            // A reload may change the limits: a bucket starts afresh when its limit does.
            if (buckets.Requests?.PerMinute != settings.RequestsPerMinute) buckets.Requests = settings.RequestsPerMinute is { } r ? new TokenBucket(r, now, time) : null;
            if (buckets.Tokens?.PerMinute != settings.TokensPerMinute) buckets.Tokens = settings.TokensPerMinute is { } t ? new TokenBucket(t, now, time) : null;
            var waitRequests = buckets.Requests?.SecondsUntil(1, now) ?? 0;
            var waitTokens = buckets.Tokens?.SecondsUntil(tokens, now) ?? 0;
            if (waitRequests > 0 || waitTokens > 0)
            {
                var headers = new Dictionary<string, string>();
                Describe(headers, "requests", buckets.Requests, 1, now);
                Describe(headers, "tokens", buckets.Tokens, tokens, now);
                var which = waitRequests > 0 ? $"requests_per_minute ({settings.RequestsPerMinute})" : $"tokens_per_minute ({settings.TokensPerMinute}; this request counts {tokens})";
                throw new OpenAiError(StatusCodes.Status429TooManyRequests, $"This API key is over its {which}; retry in {Math.Ceiling(Math.Max(waitRequests, waitTokens))} s.", "rate_limit_error", code: "rate_limit_exceeded")
                {
                    RetryAfterSeconds = (int)Math.Ceiling(Math.Max(waitRequests, waitTokens)),
                    Headers = headers,
                };
            }
            buckets.Requests?.Take(1, now);
            buckets.Tokens?.Take(tokens, now);
        }
    }

    /// <summary>OpenAI's headers for one limit: its size, what is left, and when the request's units are back (e.g. <c>1m30s</c>).</summary>
    private static void Describe(Dictionary<string, string> headers, string unit, TokenBucket? bucket, double units, long now)
    {
        if (bucket is null) return;
        headers[$"x-ratelimit-limit-{unit}"] = bucket.PerMinute.ToString(CultureInfo.InvariantCulture);
        headers[$"x-ratelimit-remaining-{unit}"] = ((int)bucket.Available(now)).ToString(CultureInfo.InvariantCulture);
        var reset = TimeSpan.FromSeconds(Math.Ceiling(bucket.SecondsUntil(units, now)));
        headers[$"x-ratelimit-reset-{unit}"] = reset.TotalMinutes >= 1 ? $"{(int)reset.TotalMinutes}m{reset.Seconds}s" : $"{reset.Seconds}s";
    }

    private sealed class Buckets
    {
        public TokenBucket? Requests { get; set; }
        public TokenBucket? Tokens { get; set; }
    }
}
