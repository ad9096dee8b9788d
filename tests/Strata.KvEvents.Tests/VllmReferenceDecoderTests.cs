using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Strata.KvEvents.Tests;

/// <summary>
/// Our publisher against a subscriber written in Python from vLLM's schema (<c>reference/vllm_kv_events_reference.py</c>,
/// pyzmq + msgpack): every batch it takes decodes, field by field, to what was published, in both event layouts,
/// and its replay request is answered as vLLM's ROUTER answers it.
/// </summary>
public sealed class VllmReferenceDecoderTests
{
    private const int Batches = 8;
    private const int Rank = 3;

    [SkippableTheory]
    [InlineData(KvEventEncoding.TaggedArrays)]
    [InlineData(KvEventEncoding.TaggedMaps)]
    public void A_python_subscriber_written_from_vllms_schema_reads_what_we_publish(KvEventEncoding encoding)
    {
        var python = ReferencePython.Interpreter();
        Skip.If(python is null, ReferencePython.Missing + "; .ci/run installs them and sets STRATA_REQUIRE_PYTHON_ZMQ=1 so CI never skips this test.");
        var (options, _) = Loopback.Endpoints();
        using var publisher = new KvEventPublisher(options with { DataParallelRank = Rank, Encoding = encoding, Topic = "kv-events" });
        var script = Path.Combine(AppContext.BaseDirectory, "reference", "vllm_kv_events_reference.py");
        using var process = Process.Start(new ProcessStartInfo(python!,
            [script, publisher.Endpoint.Replace("*", "127.0.0.1"), publisher.ReplayEndpoint!.Replace("*", "127.0.0.1"), "kv-events", Batches.ToString()])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();

        // Batch n is the n-th published, so its sequence number is n; keep publishing until the script has its share.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        for (var n = 0; !process.HasExited && DateTime.UtcNow < deadline; n++)
        {
            publisher.Publish(SampleBatches.Numbered(n, rank: null));
            Thread.Sleep(20);
        }
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(5)), "the reference subscriber did not finish");
        Assert.True(process.ExitCode == 0, $"the reference subscriber failed: {stderr.Result}");

        var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Batches + 1, lines.Length);
        var taken = new List<long>();
        foreach (var line in lines[..Batches])
        {
            using var batch = JsonDocument.Parse(line);
            var seq = batch.RootElement.GetProperty("seq").GetInt64();
            taken.Add(seq);
            var expected = SampleBatches.Numbered((int)seq, rank: null);
            Assert.Equal(expected.Timestamp, batch.RootElement.GetProperty("ts").GetDouble());
            Assert.Equal(Rank, batch.RootElement.GetProperty("data_parallel_rank").GetInt32());
            Assert.Equal(Json(expected.Events), batch.RootElement.GetProperty("events").GetRawText());
        }
        Assert.Equal(Enumerable.Range((int)taken[0], Batches).Select(s => (long)s), taken);

        using var replay = JsonDocument.Parse(lines[^1]);
        var replayed = replay.RootElement.GetProperty("replay").EnumerateArray().Select(s => s.GetInt64()).ToList();
        Assert.Equal(taken, replayed.Take(Batches));
        Assert.Equal(Enumerable.Range((int)taken[0], replayed.Count).Select(s => (long)s), replayed);
        Assert.True(replay.RootElement.GetProperty("replay_matches_live").GetBoolean());
        Assert.True(replay.RootElement.GetProperty("end_payload_empty").GetBoolean());
    }

    /// <summary>The events as the reference script prints them, field for field.</summary>
    private static string Json(IReadOnlyList<KvEvent> events) => new JsonArray([.. events.Select(Json)]).ToJsonString();

    private static JsonNode Json(KvEvent kvEvent) => kvEvent switch
    {
        BlockStored s => new JsonObject
        {
            ["type"] = "BlockStored",
            ["block_hashes"] = Hashes(s.BlockHashes),
            ["parent_block_hash"] = s.ParentBlockHash is { } parent ? Hash(parent) : null,
            ["token_ids"] = new JsonArray([.. s.TokenIds.Select(t => (JsonNode)t)]),
            ["block_size"] = s.BlockSize,
            ["lora_id"] = s.LoraId,
            ["medium"] = s.Medium,
            ["lora_name"] = s.LoraName,
            ["group_idx"] = s.GroupIdx,
        },
        BlockRemoved r => new JsonObject
        {
            ["type"] = "BlockRemoved",
            ["block_hashes"] = Hashes(r.BlockHashes),
            ["medium"] = r.Medium,
            ["group_idx"] = r.GroupIdx,
        },
        _ => new JsonObject { ["type"] = kvEvent.GetType().Name },
    };

    private static JsonArray Hashes(IReadOnlyList<EngineBlockHash> hashes) => new([.. hashes.Select(h => (JsonNode)Hash(h))]);

    private static string Hash(EngineBlockHash hash) => hash.IsBytes ? "0x" + hash : hash.ToString();
}
