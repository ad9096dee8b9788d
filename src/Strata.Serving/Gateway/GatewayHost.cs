using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using Strata.Serving.Gateway.Admission;
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
    /// <summary>The runtime switch that runs socket completions on the epoll thread instead of posting them to the thread pool.</summary>
    public const string InlineSocketCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Makes this process run socket completions inline on the socket event (epoll) thread: the
    /// other half of <see cref="SocketTransportOptions.UnsafePreferInlineScheduling"/> (set in
    /// <see cref="Build"/>). The runtime reads the variable once, when its socket engine is first
    /// used, so call this before the process opens any socket; it is process-wide, which is why
    /// only <c>strata serve</c> calls it (never the simulator). With both, a streamed chunk goes
    /// from the engine's socket to the client's without two thread-pool hops, which measured
    /// +0.43 / +1.35 ms p50/p99 added TTFT against +1.46 / +4.31 ms (docs/benchmarks.md).
    /// </summary>
    public static void UseInlineSocketCompletions() => Environment.SetEnvironmentVariable(InlineSocketCompletionsVariable, "1");

    public static WebApplication Build(GatewayOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Config.Listen.AbsoluteUri);
        // The gateway enforces max_body_bytes itself, with an OpenAI-style 413; Kestrel's own 30 MB cap would answer first.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxConcurrentConnections = options.Config.MaxConnections;
        });
        // Request processing runs on the socket event thread instead of hopping to the thread pool
        // (see UseInlineSocketCompletions). That thread serves every connection on it, so nothing
        // on a request path may block: every read and write is async (ObservedUpstreamStream has no
        // sync Read), and the admission and backend locks only guard short bookkeeping. Tests build
        // the gateway here too, so they run in this mode.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        // Every request is proxied: YARP's per-request info logs would drown the gateway's own.
        builder.Logging.AddFilter("Yarp", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            // Off, not just quiet: while this category logs at any level, ASP.NET Core starts an Activity
            // and a log scope for every request, which then ride along (and are switched in and out) on
            // every await of every streamed chunk, and give the engine request an Activity of its own.
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Time);
        services.AddSingleton(new CurrentConfig(options.Config));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<KvEventMetrics>();
        services.AddSingleton<GatewayState>();
        services.AddSingleton<BackendRegistry>();
        services.AddSingleton<SignalScraper>();
        services.AddSingleton<HealthProber>();
        services.AddSingleton<ForwarderInvoker>();
        services.AddSingleton<BodyBudget>();
        services.AddSingleton<TenantInFlight>();
        services.AddSingleton<RateLimits>();
        services.AddSingleton<CompletionIntake>();
        services.AddSingleton<CompletionEndpoint>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddHttpForwarder();
        // Scrapes run 20 times a second per engine: no per-request log lines or log scopes for them.
        services.AddHttpClient(SignalScraper.HttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) });
        services.AddHostedService<GatewayLifetime>();
        configure?.Invoke(builder);

        var app = builder.Build();
        var state = app.Services.GetRequiredService<GatewayState>();
        // Created now so its collector is registered before the first scrape.
        app.Services.GetRequiredService<KvEventMetrics>();
        app.Use((context, next) => InternalsAccess.GuardMetricsAsync(context, next, state));
        var completions = app.Services.GetRequiredService<CompletionEndpoint>();
        app.MapPost("/v1/chat/completions", (HttpContext context) => completions.HandleAsync(context, chat: true));
        app.MapPost("/v1/completions", (HttpContext context) => completions.HandleAsync(context, chat: false));
        app.MapGet("/v1/models", (HttpContext context, ModelsEndpoint models) => models.HandleAsync(context));
        app.MapGet("/health", (HttpContext context, GatewayState state) => GatewayHealthEndpoint.HandleAsync(context, state));
        // prometheus-net maps every method; a scrape is a GET (HEAD comes with it), anything else gets 405.
        app.MapMetrics("/metrics", app.Services.GetRequiredService<GatewayMetrics>().Registry).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
        return app;
    }
}
