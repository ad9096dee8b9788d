using System.Globalization;
using System.Text.Json;
using Strata.Simulation.Metrics;

namespace Strata.Bench;

/// <summary>
/// The result file of <c>vllm bench serve --save-result</c>, with its field names (<c>vllm/benchmarks/serve.py</c> @ def9ce8),
/// followed by Strata's own: where it ran and from which workload.
/// </summary>
public static class BenchResultJson
{
    public static void Write(BenchResult result, Stream stream)
    {
        var o = result.Options;
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("date", result.Date.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        json.WriteString("endpoint_type", o.IsChat ? "openai-chat" : "openai");
        json.WriteString("backend", o.IsChat ? "openai-chat" : "vllm");
        json.WriteNull("label");
        json.WriteString("model_id", o.Model);
        json.WriteString("tokenizer_id", o.Model);
        json.WriteNumber("num_prompts", result.NumPrompts);
        if (double.IsPositiveInfinity(o.RequestRate)) json.WriteString("request_rate", "inf");
        else json.WriteNumber("request_rate", o.RequestRate);
        json.WriteNumber("burstiness", o.Burstiness);
        if (o.MaxConcurrency is { } cap) json.WriteNumber("max_concurrency", cap);
        else json.WriteNull("max_concurrency");
        SummaryJson.WriteServingFields(json, result.Metrics);
        json.WriteNumber("max_output_tokens_per_s", result.MaxOutputTokensPerSecond);
        json.WriteNumber("max_concurrent_requests", result.MaxConcurrentRequests);
        json.WriteString("url", new Uri(o.Url, o.Endpoint).ToString());
        json.WriteString("workload", o.Workload);
        json.WriteNumber("seed", o.Seed);
        json.WriteStartArray("errors");
        foreach (var error in result.Errors) json.WriteStringValue(error);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
