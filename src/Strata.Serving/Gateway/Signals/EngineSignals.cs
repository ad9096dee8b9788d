using System.Globalization;
using Strata.Serving.Gateway.Config;

namespace Strata.Serving.Gateway.Signals;

/// <summary>
/// The load an engine reported in one <c>/metrics</c> scrape (vLLM: <c>vllm/v1/metrics/loggers.py</c>; SGLang: <c>python/sglang/srt/metrics/collector.py</c>). A vLLM server
/// running several data-parallel engines exports one series per engine (label <c>engine</c>). For one rank of such
/// a server (<see cref="ForRank"/>) only that rank's series count: vLLM's
/// <c>engine</c> label, SGLang's <c>dp_rank</c>; a scrape without them says nothing about the rank (null), and the
/// gateway's own accounting is all its view holds. For a server placing requests itself, counts are summed, KV use
/// averaged and KV capacity summed over its engines.
/// </summary>
/// <param name="Waiting"><c>vllm:num_requests_waiting</c> / <c>sglang:num_queue_reqs</c>.</param>
/// <param name="Running"><c>vllm:num_requests_running</c> / <c>sglang:num_running_reqs</c>.</param>
/// <param name="KvUsage"><c>vllm:kv_cache_usage_perc</c> (before vLLM 0.9 <c>vllm:gpu_cache_usage_perc</c>) / <c>sglang:token_usage</c>, 0..1.</param>
/// <param name="KvCapacityTokens"><c>num_gpu_blocks</c> × <c>block_size</c> of <c>vllm:cache_config_info</c>; 0 when not exported.</param>
/// <param name="Timestamp">When the scrape was sent (TimeProvider timestamp): requests dispatched after it are not in these counts.</param>
public sealed record EngineSignals(int Waiting, int Running, double KvUsage, long KvCapacityTokens, long Timestamp)
{
    /// <summary>One rank's series of a server's scrape; null when the scrape has no series for it.</summary>
    public static EngineSignals? ForRank(IReadOnlyList<PrometheusSample> samples, EngineType engine, long timestamp, int rank)
    {
        var label = engine == EngineType.Sglang ? "dp_rank" : "engine";
        var value = rank.ToString(CultureInfo.InvariantCulture);
        var own = samples.Where(s => s.Label(label) == value).ToList();
        return own.Count == 0 ? null : From(own, engine, timestamp);
    }

    /// <summary>The whole server: every engine's series together.</summary>
    public static EngineSignals From(IReadOnlyList<PrometheusSample> samples, EngineType engine, long timestamp) => engine switch
    {
        EngineType.Sglang => new EngineSignals(
            (int)Sum(samples, "sglang:num_queue_reqs"),
            (int)Sum(samples, "sglang:num_running_reqs"),
            Mean(samples, "sglang:token_usage"),
            0,
            timestamp),
        _ => new EngineSignals(
            (int)Sum(samples, "vllm:num_requests_waiting"),
            (int)Sum(samples, "vllm:num_requests_running"),
            samples.Any(s => s.Name == "vllm:kv_cache_usage_perc") ? Mean(samples, "vllm:kv_cache_usage_perc") : Mean(samples, "vllm:gpu_cache_usage_perc"),
            KvCapacity(samples),
            timestamp),
    };

    private static double Sum(IReadOnlyList<PrometheusSample> samples, string name) =>
        samples.Where(s => s.Name == name && double.IsFinite(s.Value)).Sum(s => s.Value);

    private static double Mean(IReadOnlyList<PrometheusSample> samples, string name)
    {
        var values = samples.Where(s => s.Name == name && double.IsFinite(s.Value)).Select(s => s.Value).ToList();
        return values.Count == 0 ? 0 : Math.Clamp(values.Average(), 0, 1);
    }

    private static long KvCapacity(IReadOnlyList<PrometheusSample> samples)
    {
        long tokens = 0;
        foreach (var info in samples.Where(s => s.Name == "vllm:cache_config_info"))
            if (long.TryParse(info.Label("num_gpu_blocks"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var blocks)
                && long.TryParse(info.Label("block_size"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var blockSize))
                tokens += blocks * blockSize;
        return tokens;
    }
}
