using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using Strata.Serving.Gateway.Backends;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Forwarding;
using Strata.Serving.Gateway.Health;
using Strata.Serving.Gateway.Metrics;
using Strata.Serving.Gateway.Signals;

namespace Strata.Serving.Gateway;

/// <summary>Builds the gateway as an ASP.NET Core app on Kestrel: services, routes and the listen address.</summary>
public static class GatewayHost
{
    public static WebApplication Build(GatewayOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Config.Listen.AbsoluteUri);
        // The gateway enforces max_body_bytes itself, with an OpenAI-style 413; Kestrel's own 30 MB cap would answer first.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        // Scrapes run 20 times a second per engine and every request is proxied: their per-request info logs would drown the gateway's own.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
            .AddFilter("Yarp", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Time);
        services.AddSingleton(new CurrentConfig(options.Config));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<GatewayState>();
        services.AddSingleton<BackendRegistry>();
        services.AddSingleton<SignalScraper>();
        services.AddSingleton<HealthProber>();
        services.AddSingleton<ForwarderInvoker>();
        services.AddSingleton<CompletionEndpoint>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddHttpForwarder();
        services.AddHttpClient(SignalScraper.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) });
        services.AddHostedService<GatewayLifetime>();
        configure?.Invoke(builder);

        var app = builder.Build();
        var completions = app.Services.GetRequiredService<CompletionEndpoint>();
        app.MapPost("/v1/chat/completions", (HttpContext context) => completions.HandleAsync(context, chat: true));
        app.MapPost("/v1/completions", (HttpContext context) => completions.HandleAsync(context, chat: false));
        app.MapGet("/v1/models", (HttpContext context, ModelsEndpoint models) => models.HandleAsync(context));
        app.MapGet("/health", (HttpContext context, GatewayState state) => GatewayHealthEndpoint.HandleAsync(context, state));
        app.MapMetrics("/metrics", app.Services.GetRequiredService<GatewayMetrics>().Registry);
        return app;
    }
}
