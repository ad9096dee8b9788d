using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Strata.Simulation.Validation;

namespace Strata.Simulation.Tests.Validation;

/// <summary>
/// A recorded run's prompts as token ids, from the dataset its meta.json names by path and SHA-256: the replay shares KV
/// blocks between prompts exactly where the run's prompts shared leading tokens.
/// </summary>
public class RecordedDatasetTests
{
    // Three prompts: the second starts with the first's 64 tokens (four full blocks), the third shares nothing.
    private static readonly int[][] Prompts =
    [
        Enumerable.Range(1, 64).ToArray(),
        [.. Enumerable.Range(1, 64), .. Enumerable.Range(1000, 32)],
        Enumerable.Range(5000, 48).ToArray(),
    ];

    /// <summary>A run folder in data/validation's layout under a fresh root; the dataset goes where <paramref name="datasetAt"/> says.</summary>
    private static string Run(string? datasetAt, string named = "workloads/sharegpt.jsonl", string? hashOverride = null)
    {
        var root = Directory.CreateTempSubdirectory("strata-dataset-").FullName;
        var run = Directory.CreateDirectory(Path.Combine(root, "rtxpro6000-test")).FullName;
        var dataset = string.Join('\n', Prompts.Select(p => $"{{\"input_toks\": {p.Length}, \"output_toks\": 4, \"input_tok_ids\": [{string.Join(",", p)}]}}")) + "\n";
        var hash = hashOverride ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataset)));
        if (datasetAt is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, datasetAt))!);
            File.WriteAllText(Path.Combine(root, datasetAt), dataset);
        }
        File.WriteAllText(Path.Combine(run, "meta.json"),
            $$"""{"engine_kwargs": {"model": "meta-llama/Llama-3.1-8B", "max_num_seqs": 128, "max_num_batched_tokens": 2048}, "dataset_path": "{{named}}", "dataset_hash": "{{hash}}"}""");
        // Each prompt long after the last finished; the engine core took each in 20 ms after it arrived (wall clock 1000 s ahead).
        var lines = Prompts.Select((p, i) =>
        {
            var arrival = 5.0 * i;
            string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
            return $$"""{"request_id": "bench-{{i}}", "input_toks": {{p.Length}}, "output_toks": 4, "arrival_time": {{F(1000 + arrival)}}, "queued_ts": {{F(arrival + (i == 0 ? 0 : 0.02))}}, "scheduled_ts": {{F(arrival + 0.03)}}, "first_token_ts": {{F(arrival + 0.05)}}, "last_token_ts": {{F(arrival + 0.2)}}}""";
        });
        File.WriteAllText(Path.Combine(run, "requests.jsonl"), string.Join('\n', lines) + "\n");
        return run;
    }

    [Fact]
    public void Token_ids_come_from_the_dataset_whose_hash_the_run_records()
    {
        var run = RecordedRunReader.Read(Run(datasetAt: "workloads/sharegpt.jsonl"));

        Assert.Equal(Prompts, run.Requests.Select(r => r.PromptTokenIds));
        Assert.Contains("sharegpt.jsonl", run.PromptSource);
    }

    [Fact]
    public void A_dataset_under_another_name_is_found_by_its_hash()
    {
        var run = RecordedRunReader.Read(Run(datasetAt: "workloads/same-prompts-other-name.jsonl"));

        Assert.Equal(Prompts, run.Requests.Select(r => r.PromptTokenIds));
    }

    [Fact]
    public void Without_its_dataset_a_run_replays_every_prompt_as_unique_and_says_so()
    {
        var run = RecordedRunReader.Read(Run(datasetAt: null));

        Assert.All(run.Requests, r => Assert.Null(r.PromptTokenIds));
        Assert.Contains("every prompt is unique", run.PromptSource);
    }

    [Fact]
    public void A_file_at_the_named_path_with_another_hash_is_refused()
    {
        var folder = Run(datasetAt: "workloads/sharegpt.jsonl", hashOverride: new string('0', 64));

        var error = Assert.Throws<RecordedRunException>(() => RecordedRunReader.Read(folder));

        Assert.Contains("not this run's dataset", error.Message);
        Assert.Contains("dataset_hash is 0000", error.Message);
    }

    [Fact]
    public void Arrivals_come_from_arrival_time_and_latencies_from_queued_ts()
    {
        var run = RecordedRunReader.Read(Run(datasetAt: null));

        // The clocks differ by the offset that makes the earliest intake immediate: 1000 s.
        Assert.Equal([0.0, 5.0, 10.0], run.Requests.Select(r => Math.Round(r.Arrival, 9)));
        Assert.Equal(0.03, run.Requests[1].Ttft, 9);       // first token − queued_ts
        Assert.Equal(0.01, run.Requests[1].Queue!.Value, 9); // scheduled_ts − queued_ts
        Assert.True(run.FromIntake);
    }

    [Fact]
    public void Shared_leading_blocks_hit_the_replays_prefix_cache_as_in_vLLM()
    {
        double HitRate(string folder)
        {
            var run = RecordedRunReader.Read(folder);
            return Strata.Simulation.Validation.Validation.Run(run, ReplayCluster.For(run, null)).PrefixCacheHitRate;
        }

        // The second prompt reuses the first's four full blocks: 64 of the 208 prompt tokens.
        Assert.Equal(64.0 / 208, HitRate(Run(datasetAt: "workloads/sharegpt.jsonl")), 9);
        Assert.Equal(0.0, HitRate(Run(datasetAt: null)));
    }
}
