using System.Globalization;
using System.Text;
using Prometheus;
using Strata.Engine.Cluster;
using Strata.Engine;

namespace Strata.Emulation;

/// <summary>
/// One emulated engine core's (DP rank's) Prometheus metrics under vLLM V1's names and labels
/// (<c>model_name</c>, <c>engine</c>; <c>vllm/v1/metrics/loggers.py</c>). The ranks behind one server share its
/// registry, each with its own <c>engine</c> label, as vLLM's API server exports one series per engine core;
/// servers in one process never share a registry. Counters carry the <c>_total</c> suffix prometheus_client adds.
/// Latencies are modelled seconds. prometheus-net refuses the colon of vLLM's <c>vllm:</c> prefix
/// (colons are legal in the exposition format, reserved for recording rules by convention), so the
/// series are registered as <c>vllm_…</c> and <see cref="WriteAsync"/> restores the colon.
/// </summary>
internal sealed class EngineMetrics
{
    private static readonly double[] TtftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
    private static readonly double[] TokenLatencyBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
    private static readonly double[] RequestLatencyBuckets = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

    private readonly Gauge.Child _running;
    private readonly Gauge.Child _waiting;
    private readonly Gauge.Child _kvUsage;
    private readonly Counter.Child _promptTokens;
    private readonly Counter.Child _generationTokens;
    private readonly Counter.Child _finishedByLength;
    private readonly Counter.Child _prefixQueries;
    private readonly Counter.Child _prefixHits;
    private readonly Counter.Child _preemptions;
    private readonly Histogram.Child _ttft;
    private readonly Histogram.Child _interToken;
    private readonly Histogram.Child _requestTpot;
    private readonly Histogram.Child _e2e;
    private readonly Histogram.Child _queueTime;
    private readonly Histogram.Child _promptLength;
    private readonly Histogram.Child _generationLength;

    /// <param name="registry">The server's registry, shared by its ranks.</param>
    /// <param name="engine">The <c>engine</c> label: the engine core's index.</param>
    public EngineMetrics(CollectorRegistry registry, string modelName, int engine, ClusterConfig cluster, int kvBlocks)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        string[] labels = ["model_name", "engine"];
        string[] values = [modelName, engine.ToString(CultureInfo.InvariantCulture)];
        Gauge.Child Gauge(string name, string help) => factory.CreateGauge(name, help, labels).WithLabels(values);
        Counter.Child Counter(string name, string help) => factory.CreateCounter(name, help, labels).WithLabels(values);
        Histogram.Child Histogram(string name, string help, double[] buckets) =>
            factory.CreateHistogram(name, help, new HistogramConfiguration { LabelNames = labels, Buckets = buckets }).WithLabels(values);

        _running = Gauge("vllm_num_requests_running", "Number of requests in model execution batches.");
        _waiting = Gauge("vllm_num_requests_waiting", "Number of requests waiting to be processed.");
        _kvUsage = Gauge("vllm_kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.");
        factory.CreateGauge("vllm_cache_config_info", "Information of the LLMEngine CacheConfig",
                "block_size", "enable_prefix_caching", "gpu_memory_utilization", "num_gpu_blocks", "engine")
            .WithLabels(cluster.Engine.BlockSize.ToString(CultureInfo.InvariantCulture), cluster.Engine.EnablePrefixCaching ? "True" : "False",
                cluster.Engine.GpuMemoryUtilization.ToString(CultureInfo.InvariantCulture), kvBlocks.ToString(CultureInfo.InvariantCulture), values[1])
            .Set(1);
        _promptTokens = Counter("vllm_prompt_tokens_total", "Number of prefill tokens processed.");
        _generationTokens = Counter("vllm_generation_tokens_total", "Number of generation tokens processed.");
        _finishedByLength = factory.CreateCounter("vllm_request_success_total", "Count of successfully processed requests.",
            [.. labels, "finished_reason"]).WithLabels([.. values, "length"]);
        _prefixQueries = Counter("vllm_prefix_cache_queries_total", "Prefix cache queries, in terms of number of queried tokens.");
        _prefixHits = Counter("vllm_prefix_cache_hits_total", "Prefix cache hits, in terms of number of cached tokens.");
        _preemptions = Counter("vllm_num_preemptions_total", "Cumulative number of preemption from the engine.");
        _ttft = Histogram("vllm_time_to_first_token_seconds", "Histogram of time to first token in seconds.", TtftBuckets);
        _interToken = Histogram("vllm_inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", TokenLatencyBuckets);
        _requestTpot = Histogram("vllm_request_time_per_output_token_seconds", "Histogram of time_per_output_token_seconds per request.", TokenLatencyBuckets);
        _e2e = Histogram("vllm_e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", RequestLatencyBuckets);
        _queueTime = Histogram("vllm_request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", RequestLatencyBuckets);
        var lengths = TokenCountBuckets(cluster.Model.MaxModelLen);
        _promptLength = Histogram("vllm_request_prompt_tokens", "Number of prefill tokens processed.", lengths);
        _generationLength = Histogram("vllm_request_generation_tokens", "Number of generation tokens processed.", lengths);
    }

    /// <summary>The text exposition of a server's registry, with vLLM's metric names.</summary>
    public static async Task WriteAsync(CollectorRegistry registry, Stream destination, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(buffer, cancel);
        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        // Every series in this registry is vLLM's, so every name starts with the prefix: at a line start or after "# HELP "/"# TYPE ".
        text = text.Replace("\nvllm_", "\nvllm:").Replace(" vllm_", " vllm:");
        if (text.StartsWith("vllm_", StringComparison.Ordinal)) text = "vllm:" + text[5..];
        await destination.WriteAsync(Encoding.UTF8.GetBytes(text), cancel);
    }

    /// <summary>Gauges and cumulative counters after a step, read from the engine's own counters.</summary>
    public void OnStep(EngineCore core)
    {
        _running.Set(core.RunningCount);
        _waiting.Set(core.WaitingCount);
        _kvUsage.Set(core.Kv.Usage);
        _prefixQueries.IncTo(core.PrefixQueryTokens);
        _prefixHits.IncTo(core.PrefixHitTokens);
        _preemptions.IncTo(core.Preemptions);
    }

    public void OnToken(EmulatedRequest request, int number, double time)
    {
        _generationTokens.Inc();
        if (number == 1)
        {
            _ttft.Observe(time - request.Arrival);
            _queueTime.Observe(request.Sim.FirstScheduledTime - request.Sim.QueuedTime);
            _promptTokens.Inc(request.PromptTokens);
            _promptLength.Observe(request.PromptTokens);
        }
        else _interToken.Observe(time - request.Sim.LastTokenTime);
    }

    public void OnFinished(EmulatedRequest request, double time)
    {
        var sim = request.Sim;
        _finishedByLength.Inc();
        _e2e.Observe(time - request.Arrival);
        _generationLength.Observe(sim.OutputTokens);
        if (sim.OutputTokens > 1) _requestTpot.Observe((time - sim.FirstTokenTime) / (sim.OutputTokens - 1));
    }

    /// <summary>vLLM's 1-2-5 series up to the context length.</summary>
    private static double[] TokenCountBuckets(int max)
    {
        var buckets = new List<double>();
        for (var scale = 1.0; ; scale *= 10)
            foreach (var m in new[] { 1, 2, 5 })
            {
                if (m * scale > max) return [.. buckets];
                buckets.Add(m * scale);
            }
    }
}
