using System.Text.Json;

namespace Strata.Simulation.Metrics;

/// <summary>Writes a summary as flat JSON with <c>vllm bench serve</c>'s field names first, then Strata's.</summary>
public static class SummaryJson
{
    public static void Write(SimulationSummary s, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("backend", "strata-sim");
        json.WriteString("cluster", s.Run.Cluster);
        json.WriteString("workload", s.Run.Workload);
        json.WriteNumber("seed", s.Run.Seed);
        if (s.Run.Rate is { } rate) json.WriteNumber("request_rate", rate);
        else json.WriteString("request_rate", "trace");
        json.WriteNumber("burstiness", s.Run.Burstiness);
        json.WriteString("queue_policy", s.Run.Queue);
        json.WriteString("dispatch_policy", s.Run.Dispatch);
        json.WriteString("expert_planner", s.Run.Experts);
        WriteServingFields(json, s.Serving);
        json.WriteNumber("num_preemptions", s.Preemptions);
        json.WriteNumber("prefix_cache_hit_rate", s.PrefixCacheHitRate);
        json.WriteNumber("mean_kv_usage", s.MeanKvUsage);
        json.WriteNumber("max_kv_usage", s.MaxKvUsage);
        json.WriteNumber("engine_load_imbalance", s.EngineLoadImbalance);
        json.WriteNumber("moe_balancedness", s.MoeBalancedness);
        json.WriteNumber("all_to_all_gb", s.AllToAllGigabytes);
        json.WriteNumber("expert_rebalances", s.ExpertRebalances);
        json.WriteNumber("expert_replicas_moved", s.ExpertReplicasMoved);
        json.WriteNumber("expert_migration_stall_s", s.ExpertMigrationStallSeconds);
        json.WriteNumber("steps", s.Steps);
        json.WriteStartArray("engines");
        foreach (var e in s.Engines)
        {
            json.WriteStartObject();
            json.WriteNumber("engine", e.Engine);
            json.WriteNumber("requests", e.Requests);
            json.WriteNumber("scheduled_tokens", e.ScheduledTokens);
            json.WriteNumber("num_preemptions", e.Preemptions);
            json.WriteNumber("prefix_cache_hit_rate", e.PrefixCacheHitRate);
            json.WriteNumber("mean_ttft_ms", e.MeanTtftMs);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteTimeline(json, "kv_usage_timeline", s.KvUsageTimeline);
        WriteTimeline(json, "moe_balancedness_timeline", s.MoeBalancednessTimeline);
        json.WriteEndObject();
    }

    private static void WriteTimeline(Utf8JsonWriter json, string name, IReadOnlyList<(double Time, double Value)> timeline)
    {
        json.WriteStartArray(name);
        foreach (var (time, value) in timeline)
        {
            json.WriteStartArray();
            json.WriteNumberValue(Math.Round(time, 3));
            json.WriteNumberValue(Math.Round(value, 4));
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    /// <summary>The fields every <c>vllm bench serve</c> result has, under its names.</summary>
    public static void WriteServingFields(Utf8JsonWriter json, ServingMetrics s)
    {
        json.WriteNumber("completed", s.Completed);
        json.WriteNumber("failed", s.Failed);
        json.WriteNumber("duration", s.Duration);
        json.WriteNumber("total_input_tokens", s.TotalInputTokens);
        json.WriteNumber("total_output_tokens", s.TotalOutputTokens);
        json.WriteNumber("request_throughput", s.RequestThroughput);
        if (s.RequestGoodput is { } goodput) json.WriteNumber("request_goodput", goodput);
        else json.WriteNull("request_goodput");
        json.WriteNumber("output_throughput", s.OutputThroughput);
        json.WriteNumber("total_token_throughput", s.TotalTokenThroughput);
        WriteLatency(json, "ttft", s.TtftMs);
        WriteLatency(json, "tpot", s.TpotMs);
        WriteLatency(json, "itl", s.ItlMs);
        WriteLatency(json, "e2el", s.E2elMs);
    }

    private static void WriteLatency(Utf8JsonWriter json, string name, LatencyStats stats)
    {
        json.WriteNumber($"mean_{name}_ms", stats.Mean);
        json.WriteNumber($"median_{name}_ms", stats.Median);
        json.WriteNumber($"std_{name}_ms", stats.Std);
        json.WriteNumber($"p90_{name}_ms", stats.P90);
        json.WriteNumber($"p99_{name}_ms", stats.P99);
    }
}
