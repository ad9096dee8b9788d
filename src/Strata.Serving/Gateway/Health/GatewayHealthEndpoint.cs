using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Strata.Serving.Gateway.Health;

/// <summary>
/// <c>GET /health</c>: 200 when every model has a healthy engine, else 503 — so a load balancer in
/// front stops sending traffic this gateway cannot place — with each backend's state in the body,
/// unless <c>internals_need_key</c> is set and the caller has no API key: then the status alone,
/// which is all a load balancer's probe reads.
/// </summary>
public static class GatewayHealthEndpoint
{
    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        var models = new JsonObject();
        var allServed = true;
        foreach (var (name, scheduler) in state.Models)
        {
            var backends = new JsonObject();
            foreach (var backend in scheduler.Backends) backends[backend.Name] = backend.Health.IsHealthy ? "healthy" : "unhealthy";
            allServed &= scheduler.Backends.Any(b => b.Health.IsHealthy);
            models[name] = backends;
        }
        var body = new JsonObject { ["status"] = allServed ? "ok" : "degraded" };
        if (InternalsAccess.Allowed(context.Request, state.Config)) body["models"] = models;
        context.Response.StatusCode = allServed ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
