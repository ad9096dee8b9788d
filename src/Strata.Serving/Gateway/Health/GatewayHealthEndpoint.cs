using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Strata.Serving.Gateway.Health;

/// <summary>
/// <c>GET /health</c>: 200 when every model has a healthy engine, else 503 — so a load balancer in
/// front stops sending traffic this gateway cannot place — with each backend's state in the body.
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
        context.Response.StatusCode = allServed ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["status"] = allServed ? "ok" : "degraded", ["models"] = models }.ToJsonString(), context.RequestAborted);
    }
}
