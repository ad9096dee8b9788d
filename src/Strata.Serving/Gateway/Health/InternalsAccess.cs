using Microsoft.AspNetCore.Http;
using Strata.Serving.Gateway.Admission;
using Strata.Serving.Gateway.Config;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Health;

/// <summary>
/// Who may see the gateway's internals — backend URLs and their states in <c>/health</c>, the
/// per-backend series of <c>/metrics</c>: anyone by default, only holders of an API key with
/// <c>internals_need_key</c>.
/// </summary>
public static class InternalsAccess
{
    public static bool Allowed(HttpRequest request, GatewayConfig config)
    {
        if (!config.InternalsNeedKey) return true;
        try
        {
            ApiKeys.Authenticate(request, config.ApiKeys);
            return true;
        }
        catch (OpenAiError)
        {
            return false;
        }
    }

    /// <summary>Middleware for <c>/metrics</c>: a 401 in the OpenAI shape unless the caller may see internals.</summary>
    public static async Task GuardMetricsAsync(HttpContext context, Func<Task> next, GatewayState state)
    {
        if (!context.Request.Path.Equals("/metrics", StringComparison.Ordinal) || Allowed(context.Request, state.Config))
        {
            await next();
            return;
        }
        await new OpenAiError(StatusCodes.Status401Unauthorized, "/metrics needs an API key (internals_need_key): send 'Authorization: Bearer <key>'.", "invalid_request_error", code: "invalid_api_key").WriteAsync(context.Response);
    }
}
