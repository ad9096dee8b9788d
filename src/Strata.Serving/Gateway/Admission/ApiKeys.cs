using Microsoft.AspNetCore.Http;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Admission;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> → tenant, from the config's <c>api_keys</c>. With no keys
/// configured authentication is off and requests have no tenant.
/// </summary>
public static class ApiKeys
{
    /// <summary>The caller's tenant; throws a 401 <see cref="OpenAiError"/> for a missing or unknown key.</summary>
    public static string? Authenticate(HttpRequest request, IReadOnlyDictionary<string, string> keys)
    {
        if (keys.Count == 0) return null;
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw new OpenAiError(StatusCodes.Status401Unauthorized, "Missing API key: send 'Authorization: Bearer <key>'.", "invalid_request_error", code: "invalid_api_key");
        if (!keys.TryGetValue(header[scheme.Length..].Trim(), out var tenant))
            throw new OpenAiError(StatusCodes.Status401Unauthorized, "Incorrect API key provided.", "invalid_request_error", code: "invalid_api_key");
        return tenant;
    }
}
