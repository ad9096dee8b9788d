using System.Globalization;
using Microsoft.AspNetCore.Http;
using Strata.Serving.Gateway.Config;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Admission;

/// <summary>
/// A request's priority (vLLM's: lower is served first). The <c>x-priority</c> header wins over the
/// body's <c>priority</c>, so a gateway in front can set it without rewriting bodies. With
/// authentication on, a tenant's own priority applies when it asks for none, and asking for one
/// outside its <c>priority_range</c> (by default: anything but its priority) is a 400 naming the
/// field, so no key holder can jump ahead of the others.
/// </summary>
public static class RequestPriority
{
    /// <param name="tenant">The caller's settings; null when authentication is off (one trusted tenant).</param>
    public static int Of(HttpRequest http, CompletionRequest request, TenantSettings? tenant)
    {
        var (asked, field) = http.Headers.TryGetValue("x-priority", out var header)
            ? (int.TryParse(header.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw OpenAiError.InvalidRequest($"The x-priority header '{header}' is not an integer.", "x-priority"), "x-priority")
            : (request.Priority, "priority");
        if (tenant is null) return asked ?? 0;
        if (asked is not { } priority) return tenant.Priority;
        if (priority >= tenant.PriorityMin && priority <= tenant.PriorityMax) return priority;
        throw OpenAiError.InvalidRequest(tenant.PriorityMin == tenant.PriorityMax
            ? $"'{field}' is {priority}; this API key may not set a priority (its priority is {tenant.Priority})."
            : $"'{field}' is {priority}; this API key may set priorities from {tenant.PriorityMin} to {tenant.PriorityMax}.", field);
    }
}
