namespace Strata.Serving.Gateway.Config;

/// <summary>
/// What one tenant (an <c>api_keys</c> value) may do. A tenant the config does not list gets
/// <see cref="Default"/>: every model, priority 0, which it may not change.
/// </summary>
/// <param name="Models">The models it may use; null for every model.</param>
/// <param name="Priority">Its requests' priority when they set none (vLLM's: lower is served first).</param>
/// <param name="PriorityMin">The lowest priority it may set with <c>x-priority</c> or body <c>priority</c>.</param>
/// <param name="PriorityMax">The highest it may set; equal to <see cref="PriorityMin"/> and <see cref="Priority"/> when it may not choose.</param>
/// <param name="MaxInFlight">Its requests queued or running at once, across models; null for no limit.</param>
/// <param name="QueueShare">The fraction of each model's queue (<c>max_length</c>) its requests may fill.</param>
/// <param name="RequestsPerMinute">Its request-rate limit; null for none.</param>
/// <param name="TokensPerMinute">Its token-rate limit (prompt estimate plus max output tokens per request); null for none.</param>
public sealed record TenantSettings(IReadOnlySet<string>? Models, int Priority, int PriorityMin, int PriorityMax, int? MaxInFlight, double QueueShare, int? RequestsPerMinute, int? TokensPerMinute)
{
    public static TenantSettings Default { get; } = new(null, 0, 0, 0, null, 1, null, null);

    public bool MayUse(string model) => Models is null || Models.Contains(model);
}
