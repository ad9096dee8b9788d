using System.Globalization;
using System.Text.Json;

namespace Strata.Simulation.Validation;

/// <summary>
/// Reads a recorded vLLM run: a folder in the layout of data/validation (meta.json, requests.jsonl,
/// timeseries.csv, optional llmservingsim-summary.txt; data/validation/README.md), or the JSON that
/// <c>vllm bench serve --save-result --save-detailed</c> writes (vllm/benchmarks/serve.py: per request
/// <c>input_lens</c>, <c>output_lens</c>, <c>ttfts</c>, <c>itls</c>, and in recent versions <c>start_times</c>).
/// Every error names the file, the field and the fix.
/// </summary>
public static class RecordedRunReader
{
    public static RecordedRun Read(string path)
    {
        if (Directory.Exists(path)) return ReadFolder(path);
        if (File.Exists(path)) return ReadBenchResult(path);
        throw new RecordedRunException($"--run {path}: no such folder or file; give a recorded run's folder (meta.json, requests.jsonl) or a `vllm bench serve --save-result --save-detailed` JSON.");
    }

    private static RecordedRun ReadFolder(string folder)
    {
        var meta = Path.Combine(folder, "meta.json");
        var requestsPath = Path.Combine(folder, "requests.jsonl");
        foreach (var required in new[] { meta, requestsPath })
            if (!File.Exists(required))
                throw new RecordedRunException($"{required} is missing; a recorded run's folder holds meta.json (engine arguments) and requests.jsonl (one request per line), as data/validation/README.md describes.");
        using var metaDoc = Parse(File.ReadAllText(meta), meta);
        var engine = ReadMeta(metaDoc.RootElement, meta);

        var lines = new List<(double? Sent, double Queued, int In, int Out, double? Scheduled, double First, double Last)>();
        var number = 0;
        foreach (var line in File.ReadLines(requestsPath))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = Parse(line, $"{requestsPath} line {number}");
            var r = doc.RootElement;
            var where = $"{requestsPath} line {number}";
            lines.Add((r.TryGetProperty("arrival_time", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : null,
                Number(r, "queued_ts", where), (int)Number(r, "input_toks", where), (int)Number(r, "output_toks", where),
                r.TryGetProperty("scheduled_ts", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null,
                Number(r, "first_token_ts", where), Number(r, "last_token_ts", where)));
        }
        if (lines.Count == 0) throw new RecordedRunException($"{requestsPath}: holds no requests; record the run again.");
        var (ids, prompts) = RecordedDataset.Find(folder, metaDoc.RootElement, meta, lines.Select(l => l.In).ToArray());
        // Latencies count from queued_ts, when vLLM's engine core took the request in, as vLLM's stats count them. A request
        // arrives earlier: at arrival_time (wall clock, when vLLM received it), and the engine core takes it in between
        // steps. The two clocks differ by a constant, set so that the earliest intake follows its arrival at once.
        var offset = lines.All(l => l.Sent is not null) ? lines.Max(l => l.Sent!.Value - l.Queued) : 0;
        var arrivals = lines.Select(l => l.Sent is { } sent ? sent - offset : l.Queued).ToArray();
        var start = arrivals.Min();
        var requests = lines.Select((l, i) => new RecordedRequest(arrivals[i] - start, l.In, l.Out, l.First - l.Queued, l.Last - l.Queued, l.Scheduled - l.Queued, ids?[i]))
            .OrderBy(r => r.Arrival).ToArray();

        var timeseries = Path.Combine(folder, "timeseries.csv");
        var queues = File.Exists(timeseries) ? ReadTimeseries(timeseries) : [];
        var summary = Path.Combine(folder, "llmservingsim-summary.txt");
        var reference = File.Exists(summary) ? ReadReferenceErrors(summary) : new Dictionary<string, double>();
        return new RecordedRun(folder, engine, requests, queues, reference, prompts, FromIntake: true);
    }

    private static RecordedEngine ReadMeta(JsonElement root, string path)
    {
        if (!root.TryGetProperty("engine_kwargs", out var kw) || kw.ValueKind != JsonValueKind.Object)
            throw new RecordedRunException($"{path}: no engine_kwargs object; meta.json must carry vLLM's engine arguments (max_num_seqs, max_num_batched_tokens, tensor_parallel_size, …).");
        var where = $"{path} engine_kwargs";
        var kv = root.TryGetProperty("kv_cache", out var cache) && cache.ValueKind == JsonValueKind.Object ? cache : default;
        return new RecordedEngine
        {
            Model = String(kw, "model", where) ?? String(root, "model", path)
                ?? throw new RecordedRunException($"{where}.model: missing; name the served model's Hugging Face id."),
            TensorParallel = OptionalInt(kw, "tensor_parallel_size", where) ?? 1,
            DataParallel = OptionalInt(kw, "data_parallel_size", where) ?? 1,
            ExpertParallel = kw.TryGetProperty("enable_expert_parallel", out var ep) && ep.ValueKind == JsonValueKind.True,
            MaxNumSeqs = OptionalInt(kw, "max_num_seqs", where)
                ?? throw new RecordedRunException($"{where}.max_num_seqs: missing; record the engine's max_num_seqs (vLLM logs it at start-up)."),
            MaxNumBatchedTokens = OptionalInt(kw, "max_num_batched_tokens", where)
                ?? throw new RecordedRunException($"{where}.max_num_batched_tokens: missing; record the engine's max_num_batched_tokens (vLLM logs it at start-up)."),
            MaxModelLen = OptionalInt(kw, "max_model_len", where),
            BlockSize = kv.ValueKind == JsonValueKind.Object ? OptionalInt(kv, "block_size", $"{path} kv_cache") ?? 16 : 16,
            NumGpuBlocks = kv.ValueKind == JsonValueKind.Object ? OptionalInt(kv, "num_gpu_blocks", $"{path} kv_cache") : null,
            EnablePrefixCaching = kv.ValueKind != JsonValueKind.Object || !kv.TryGetProperty("enable_prefix_caching", out var pc) || pc.ValueKind != JsonValueKind.False,
            GpuMemoryUtilization = kv.ValueKind == JsonValueKind.Object && kv.TryGetProperty("gpu_memory_utilization", out var mu) && mu.ValueKind == JsonValueKind.Number ? mu.GetDouble() : 0.9,
            AsyncScheduling = AsyncSchedulingOf(root, kw),
            DeviceName = root.TryGetProperty("hardware", out var hw) && hw.ValueKind == JsonValueKind.Object ? String(hw, "device_name", $"{path} hardware") : null,
        };
    }

    /// <summary><c>async_scheduling</c> from the engine arguments, else from the resolved <c>scheduler_config</c>; null when neither has it.</summary>
    private static bool? AsyncSchedulingOf(JsonElement root, JsonElement kwargs)
    {
        static bool? Flag(JsonElement e) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty("async_scheduling", out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? v.GetBoolean() : null;
        return Flag(kwargs) ?? (root.TryGetProperty("resolved_config", out var resolved) && resolved.ValueKind == JsonValueKind.Object
            && resolved.TryGetProperty("scheduler_config", out var scheduler) ? Flag(scheduler) : null);
    }

    private static QueueSample[] ReadTimeseries(string path)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine()?.Split(',') ?? [];
        int Column(string name) => Array.IndexOf(header, name) is >= 0 and var i ? i
            : throw new RecordedRunException($"{path} line 1: no '{name}' column; timeseries.csv needs t, running and waiting.");
        int t = Column("t"), running = Column("running"), waiting = Column("waiting");
        var samples = new List<QueueSample>();
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0) continue;
            var cells = text.Split(',');
            double Cell(int i, string name) => i < cells.Length && double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new RecordedRunException($"{path} line {line}: column {name} is not a number.");
            samples.Add(new QueueSample(Cell(t, "t"), (int)Cell(running, "running"), (int)Cell(waiting, "waiting")));
        }
        return samples.ToArray();
    }

    /// <summary>The Diff% column of LLMServingSim's summary (rows such as "TTFT Mean  vLLM  Sim  +0.6%"), as fractions by metric key.</summary>
    private static Dictionary<string, double> ReadReferenceErrors(string path)
    {
        var errors = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (cells.Length != 5 || !cells[4].EndsWith('%')) continue;
            var metric = cells[0] switch { "TTFT" => "ttft", "TPOT" => "tpot", "Latency" => "e2el", _ => null };
            var stat = cells[1] switch { "Mean" => "mean", "Median" => "median", "P90" => "p90", "P99" => "p99", _ => null };
            if (metric is null || stat is null) continue;
            if (double.TryParse(cells[4].TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
                errors[$"{stat}_{metric}_ms"] = percent / 100;
        }
        return errors;
    }

    private static RecordedRun ReadBenchResult(string path)
    {
        using var doc = Parse(File.ReadAllText(path), path);
        var root = doc.RootElement;
        double[] Array(string field, string meaning)
        {
            if (!root.TryGetProperty(field, out var a) || a.ValueKind != JsonValueKind.Array)
                throw new RecordedRunException($"{path}: no '{field}' ({meaning}); save the result with `vllm bench serve --save-result --save-detailed`{(field == "start_times" ? " from a vLLM version that records start_times (the send time of each request), since a replay needs each arrival" : "")}.");
            return a.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.NaN).ToArray();
        }
        var inputs = Array("input_lens", "prompt tokens per request");
        var outputs = Array("output_lens", "output tokens per request");
        var ttfts = Array("ttfts", "TTFT per request");
        var starts = Array("start_times", "send time per request");
        if (!root.TryGetProperty("itls", out var itls) || itls.ValueKind != JsonValueKind.Array)
            throw new RecordedRunException($"{path}: no 'itls' (inter-token latencies per request); save the result with `vllm bench serve --save-result --save-detailed`.");
        var itl = itls.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().Sum(x => x.GetDouble()) : double.NaN).ToArray();
        var n = inputs.Length;
        if (outputs.Length != n || ttfts.Length != n || starts.Length != n || itl.Length != n)
            throw new RecordedRunException($"{path}: input_lens, output_lens, ttfts, itls and start_times differ in length; the file is truncated or edited.");
        var start = starts.Min();
        var requests = Enumerable.Range(0, n)
            .Where(i => !double.IsNaN(ttfts[i]) && outputs[i] > 0)
            .Select(i => new RecordedRequest(starts[i] - start, (int)inputs[i], (int)outputs[i], ttfts[i], ttfts[i] + itl[i]))
            .OrderBy(r => r.Arrival).ToArray();
        if (requests.Length == 0) throw new RecordedRunException($"{path}: no successful request; record a run that completed.");
        return new RecordedRun(path, null, requests, [], new Dictionary<string, double>(),
            "a `vllm bench serve` result holds token counts, not token ids, so every prompt is unique in the replay (no prefix-cache hits between prompts).",
            FromIntake: false);
    }

    private static JsonDocument Parse(string text, string where)
    {
        try { return JsonDocument.Parse(text); }
        catch (JsonException e) { throw new RecordedRunException($"{where}: not valid JSON ({e.Message})."); }
    }

    private static double Number(JsonElement e, string field, string where) =>
        e.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
            : throw new RecordedRunException($"{where}: '{field}' is missing or not a number; every request needs input_toks, output_toks, queued_ts, first_token_ts and last_token_ts.");

    private static int? OptionalInt(JsonElement e, string field, string where) =>
        !e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
        : throw new RecordedRunException($"{where}.{field}: '{v}' is not a whole number.");

    private static string? String(JsonElement e, string field, string where) =>
        !e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw new RecordedRunException($"{where}.{field}: '{v}' is not a string.");
}

/// <summary>A recorded run that cannot be replayed; the message names the file, the field and the fix.</summary>
public sealed class RecordedRunException(string message) : Exception(message);
