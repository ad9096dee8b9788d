using System.Text.Json;

namespace Strata.Emulation;

/// <summary>
/// vLLM's <c>--kv-events-config</c> (<c>vllm/config/kv_events.py</c>): whether and where the engines publish their
/// KV-cache events. Read from the same JSON vLLM takes, e.g.
/// <c>{"enable_kv_cache_events": true, "publisher": "zmq", "endpoint": "tcp://*:5557", "replay_endpoint": "tcp://*:5600"}</c>.
/// Rank r of a server publishes at each port plus r, as vLLM does; server i of <c>--engines M</c> starts its ranks
/// i × ranks ports further, so the servers of one emulator never share a port. Keys the emulator cannot honour are
/// refused, never ignored.
/// </summary>
public sealed record KvEventsConfig(string Endpoint, string? ReplayEndpoint, int BufferSteps, int HighWaterMark, string Topic)
{
    private static readonly string[] Known = ["enable_kv_cache_events", "publisher", "endpoint", "replay_endpoint", "buffer_steps", "hwm", "topic"];

    /// <summary>The config, or null when it leaves events off (<c>enable_kv_cache_events</c> false or publisher <c>null</c>).</summary>
    /// <exception cref="FormatException">Not JSON, an unknown or unsupported key, or a bad value; the message names it.</exception>
    public static KvEventsConfig? Parse(string json)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException error)
        {
            throw new FormatException($"--kv-events-config: not JSON ({error.Message}); give vLLM's form, e.g. '{{\"enable_kv_cache_events\": true, \"publisher\": \"zmq\", \"endpoint\": \"tcp://*:5557\"}}'.");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("--kv-events-config: expected a JSON object of vLLM's KVEventsConfig fields.");
        foreach (var property in root.EnumerateObject())
            if (!Known.Contains(property.Name))
                throw new FormatException($"--kv-events-config: '{property.Name}' is not a key the emulator honours; it takes {string.Join(", ", Known)}.");
        var enabled = root.TryGetProperty("enable_kv_cache_events", out var e) && e.ValueKind == JsonValueKind.True;
        var publisher = root.TryGetProperty("publisher", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : enabled ? "zmq" : "null";
        if (publisher is not ("zmq" or "null")) throw new FormatException($"--kv-events-config: publisher '{publisher}' is not one of zmq, null.");
        if (!enabled || publisher == "null") return null;
        return new KvEventsConfig(
            String(root, "endpoint") ?? "tcp://*:5557",
            String(root, "replay_endpoint"),
            Int(root, "buffer_steps") ?? 10_000,
            Int(root, "hwm") ?? 100_000,
            String(root, "topic") ?? "");
    }

    private static string? String(JsonElement root, string key) => root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"--kv-events-config: {key} must be a string.")
        : null;

    private static int? Int(JsonElement root, string key) => root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null
        ? value.TryGetInt32(out var n) && n > 0 ? n : throw new FormatException($"--kv-events-config: {key} must be a positive integer.")
        : null;
}
