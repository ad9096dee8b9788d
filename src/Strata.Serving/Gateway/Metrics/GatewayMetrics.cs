using Prometheus;

namespace Strata.Serving.Gateway.Metrics;

/// <summary>
/// The gateway's Prometheus exposition at <c>/metrics</c> (names in docs/gateway.md). Each
/// gateway has its own registry, so several can run in one process (the tests do) without
/// sharing counters. TTFT buckets are vLLM's <c>vllm:time_to_first_token_seconds</c>, TPOT buckets
/// its inter-token ones, so gateway and engine histograms line up.
/// </summary>
public sealed class GatewayMetrics
{
    private static readonly double[] LatencyBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
    /// <summary>vLLM's 1-2-5 buckets of <c>vllm:request_prompt_tokens</c>, up to 128k.</summary>
    private static readonly double[] TokenCountBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 131072];
    private static readonly double[] TokenGapBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

    private readonly Counter _accepted;
    private readonly Histogram _promptTokens;
    private readonly Counter _finished;
    private readonly Counter _rejected;
    private readonly Gauge _queueLength;
    private readonly Histogram _queueWait;
    private readonly Gauge _inFlight;
    private readonly Gauge _healthy;
    private readonly Counter _scrapeFailures;
    private readonly Histogram _ttft;
    private readonly Histogram _tpot;
    private readonly Counter _decisions;
    private readonly Counter _retries;
    private readonly Counter _reloads;

    public GatewayMetrics()
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _accepted = factory.CreateCounter("strata_gateway_requests_accepted_total", "Requests admitted to a model's queue, by tenant (empty with authentication off).", "model", "tenant");
        _promptTokens = factory.CreateHistogram("strata_gateway_prompt_tokens", "Prompt tokens of admitted requests as the gateway counts them: the model's tokenizer when configured, else UTF-8 bytes / 4.", new HistogramConfiguration { LabelNames = ["model"], Buckets = TokenCountBuckets });
        _finished = factory.CreateCounter("strata_gateway_requests_finished_total", "Accepted requests by how they ended; the outcomes sum to the accepted count.", "model", "tenant", "outcome");
        _rejected = factory.CreateCounter("strata_gateway_requests_rejected_total", "Requests turned away before admission, by tenant (empty before or without authentication).", "reason", "tenant");
        _queueLength = factory.CreateGauge("strata_gateway_queue_length", "Requests waiting in a model's admission queue.", "model");
        _queueWait = factory.CreateHistogram("strata_gateway_queue_wait_seconds", "Time from arrival to dispatch.", new HistogramConfiguration { LabelNames = ["model"], Buckets = LatencyBuckets });
        _inFlight = factory.CreateGauge("strata_gateway_backend_in_flight", "Requests the gateway has running on a backend.", "backend");
        _healthy = factory.CreateGauge("strata_gateway_backend_healthy", "1 when the backend is in the pool, 0 when health checks or failures took it out.", "backend");
        _scrapeFailures = factory.CreateCounter("strata_gateway_scrape_failures_total", "Failed reads of a backend's /metrics.", "backend");
        _ttft = factory.CreateHistogram("strata_gateway_ttft_seconds", "Time to first token (first SSE data event) from arrival at the gateway, streaming requests.", new HistogramConfiguration { LabelNames = ["model", "backend"], Buckets = LatencyBuckets });
        _tpot = factory.CreateHistogram("strata_gateway_tpot_seconds", "Time per output token after the first (mean gap between SSE data events), streaming requests.", new HistogramConfiguration { LabelNames = ["model", "backend"], Buckets = TokenGapBuckets });
        _decisions = factory.CreateCounter("strata_gateway_dispatch_decisions_total", "Engines chosen, by dispatch policy.", "model", "policy", "backend");
        _retries = factory.CreateCounter("strata_gateway_retries_total", "Requests moved to another engine after this one failed before the first byte (counted when the other engine takes it).", "model", "backend");
        _reloads = factory.CreateCounter("strata_gateway_config_reloads_total", "Config file changes, applied or rejected (the previous config stays).", "result");
    }

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public void Accepted(string model, string? tenant, int promptTokens)
    {
        _accepted.WithLabels(model, tenant ?? "").Inc();
        _promptTokens.WithLabels(model).Observe(promptTokens);
    }

    public void Finished(string model, string? tenant, RequestOutcome outcome) => _finished.WithLabels(model, tenant ?? "", outcome.ToString().ToLowerInvariant()).Inc();

    public void Rejected(string reason, string? tenant) => _rejected.WithLabels(reason, tenant ?? "").Inc();

    public void QueueLength(string model, int length) => _queueLength.WithLabels(model).Set(length);

    public void Dispatched(string model, string policy, string backend, TimeSpan waited)
    {
        _decisions.WithLabels(model, policy, backend).Inc();
        _queueWait.WithLabels(model).Observe(waited.TotalSeconds);
    }

    public void InFlight(string backend, int count) => _inFlight.WithLabels(backend).Set(count);

    public void Healthy(string backend, bool healthy) => _healthy.WithLabels(backend).Set(healthy ? 1 : 0);

    public void ScrapeFailed(string backend) => _scrapeFailures.WithLabels(backend).Inc();

    public void Retried(string model, string failedBackend) => _retries.WithLabels(model, failedBackend).Inc();

    public void ConfigReloaded(bool applied) => _reloads.WithLabels(applied ? "applied" : "rejected").Inc();

    public void Ttft(string model, string backend, TimeSpan ttft) => _ttft.WithLabels(model, backend).Observe(ttft.TotalSeconds);

    public void Tpot(string model, string backend, TimeSpan tpot) => _tpot.WithLabels(model, backend).Observe(tpot.TotalSeconds);
}
