using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Strata.Serving.Gateway.Admission;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Signals;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// <c>GET /v1/models</c>: the union of what the backends' own <c>/v1/models</c> list, by model id
/// (the first backend to list an id supplies its entry), so clients see the engines' real model
/// cards, less the models the caller's tenant may not use. A backend that does not answer within
/// the health timeout is left out.
/// </summary>
public sealed class ModelsEndpoint(GatewayState state, IHttpClientFactory clients)
{
    public async Task HandleAsync(HttpContext context)
    {
        var config = state.Config;
        TenantSettings? allowed;
        try
        {
            allowed = ApiKeys.Authenticate(context.Request, config.ApiKeys) is { } tenant ? config.Tenant(tenant) : null;
        }
        catch (OpenAiError error)
        {
            await error.WriteAsync(context.Response);
            return;
        }
        // One list per server: a server's DP ranks serve the same models.
        var servers = state.Models.Values.SelectMany(m => m.Backends).Select(b => b.Url).Distinct().ToList();
        var lists = await Task.WhenAll(servers.Select(url => ListAsync(new Uri(url, "v1/models"), config.Health.Timeout, context.RequestAborted)));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var data = new JsonArray();
        foreach (var model in lists.SelectMany(list => list))
            if (model?["id"]?.GetValue<string>() is { } id && (allowed?.MayUse(id) ?? true) && seen.Add(id)) data.Add(model.DeepClone());
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString(), context.RequestAborted);
    }

    private async Task<IEnumerable<JsonNode?>> ListAsync(Uri url, TimeSpan timeout, CancellationToken cancel)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(timeout);
            var text = await clients.CreateClient(SignalScraper.HttpClientName).GetStringAsync(url, deadline.Token);
            return JsonNode.Parse(text)?["data"] as JsonArray ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or OperationCanceledException && !cancel.IsCancellationRequested)
        {
            return [];
        }
    }
}
