using System.Security.Cryptography;
using System.Text.Json;

namespace Strata.Simulation.Validation;

/// <summary>
/// The prompts' token ids of a recorded run, from the dataset its meta.json names. LLMServingSim's bench records
/// the dataset's path (<c>dataset_path</c>) and its SHA-256 (<c>dataset_hash</c>), and sends each prompt to vLLM
/// as exactly those ids (<c>TokensPrompt(prompt_token_ids=…)</c>, casys-kaist/LLMServingSim
/// <c>bench/core/runner.py</c> @ 5daddb2), so with prefix caching on, prompts that share leading blocks (the later
/// turns of a ShareGPT conversation) hit vLLM's cache. Without the ids a replay treats every prompt as unique.
/// </summary>
internal static class RecordedDataset
{
    /// <summary>Folder beside the runs that holds their datasets (data/validation/workloads).</summary>
    public const string Workloads = "workloads";

    /// <summary>
    /// The token ids of each request in <paramref name="promptTokens"/> (requests.jsonl's order, which is the
    /// dataset's) and a line saying where they came from; null ids when the run's dataset is not at hand.
    /// </summary>
    public static (int[][]? Ids, string Source) Find(string folder, JsonElement meta, string metaPath, IReadOnlyList<int> promptTokens)
    {
        var named = meta.TryGetProperty("dataset_path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        var hash = meta.TryGetProperty("dataset_hash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
        if (named is null || hash is null)
            return (null, $"{metaPath} names no dataset_path and dataset_hash, so every prompt is unique in the replay (no prefix-cache hits between prompts).");

        // The file the run named (beside the run, or beside the runs as LLMServingSim lays them out) must be that file;
        // else any dataset in the runs' workloads folder with the same content (two runs may name one file differently).
        var parent = Path.GetDirectoryName(Path.GetFullPath(folder)) ?? folder;
        foreach (var candidate in new[] { Path.Combine(folder, named), Path.Combine(parent, named) }.Where(File.Exists))
        {
            var actual = Sha256(candidate);
            if (!actual.Equals(hash, StringComparison.OrdinalIgnoreCase))
                throw new RecordedRunException($"{candidate}: not this run's dataset (its SHA-256 is {actual}, {metaPath} dataset_hash is {hash}); put the run's own dataset there, or remove the file to replay every prompt as unique.");
            return Found(candidate, promptTokens);
        }
        var workloads = Path.Combine(parent, Workloads);
        if (Directory.Exists(workloads))
            foreach (var candidate in Directory.EnumerateFiles(workloads, "*.jsonl").Order(StringComparer.Ordinal))
                if (Sha256(candidate).Equals(hash, StringComparison.OrdinalIgnoreCase))
                    return Found(candidate, promptTokens);
        return (null, $"the run's dataset ({named}, SHA-256 {hash[..Math.Min(12, hash.Length)]}…) is not beside it (looked in {folder}, {parent} and {Path.Combine(parent, Workloads)}), so every prompt is unique in the replay (no prefix-cache hits between prompts); put the dataset in {Path.Combine(parent, Workloads)} to replay them.");
    }

    private static (int[][] Ids, string Source) Found(string path, IReadOnlyList<int> promptTokens) =>
        (Read(path, promptTokens), $"prompt token ids from {path} (its SHA-256 is meta.json's dataset_hash): prompts that share leading blocks hit the prefix cache, as in the run.");

    private static int[][] Read(string path, IReadOnlyList<int> promptTokens)
    {
        var ids = new List<int[]>(promptTokens.Count);
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var where = $"{path} line {number}";
            using var doc = Parse(line, where);
            if (!doc.RootElement.TryGetProperty("input_tok_ids", out var array) || array.ValueKind != JsonValueKind.Array)
                throw new RecordedRunException($"{where}: no input_tok_ids array; the run's dataset must carry each prompt's token ids.");
            var tokens = array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var index = ids.Count;
            if (index < promptTokens.Count && tokens.Length != promptTokens[index])
                throw new RecordedRunException($"{where}: {tokens.Length} token ids, but requests.jsonl line {index + 1} has input_toks {promptTokens[index]}; the dataset and the run's requests must be in the same order.");
            ids.Add(tokens);
        }
        if (ids.Count != promptTokens.Count)
            throw new RecordedRunException($"{path}: {ids.Count} prompts, but requests.jsonl has {promptTokens.Count}; the dataset must hold one line per request of the run.");
        return ids.ToArray();
    }

    private static JsonDocument Parse(string line, string where)
    {
        try { return JsonDocument.Parse(line); }
        catch (JsonException e) { throw new RecordedRunException($"{where}: not valid JSON ({e.Message})."); }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
