using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MessagePack;

namespace Strata.KvEvents.Tests;

/// <summary>
/// The codec against vLLM's layout: payloads written field by field here, as msgspec lays them out, decode to the
/// events they hold in both hash forms and both event layouts; what the codec writes decodes to what it was given;
/// and a payload that is not a batch fails with <see cref="KvEventFormatException"/>, never another exception.
/// </summary>
public sealed class KvEventCodecTests
{
    private static byte[] Payload(Action<MessagePackWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(writer);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void A_tagged_array_batch_with_integer_hashes_decodes_as_vllm_wrote_it()
    {
        // [ts, [["BlockStored", [h1, h2], null, tokens, 2, null, "GPU", null], ["BlockRemoved", [h1], "GPU"], ["AllBlocksCleared"]], 1]
        var payload = Payload(w =>
        {
            w.WriteArrayHeader(3);
            w.Write(1712345678.5);
            w.WriteArrayHeader(3);
            w.WriteArrayHeader(8);
            w.Write("BlockStored");
            w.WriteArrayHeader(2);
            w.Write(12345UL);
            w.WriteUInt64(ulong.MaxValue);
            w.WriteNil();
            w.WriteArrayHeader(4);
            foreach (var t in new[] { 151644, 872, 198, 9064 }) w.Write(t);
            w.Write(2);
            w.WriteNil();
            w.Write("GPU");
            w.WriteNil();
            w.WriteArrayHeader(3);
            w.Write("BlockRemoved");
            w.WriteArrayHeader(1);
            w.Write(12345UL);
            w.Write("GPU");
            w.WriteArrayHeader(1);
            w.Write("AllBlocksCleared");
            w.Write(1);
            w.Flush();
        });

        var batch = KvEventCodec.Decode(payload);

        Assert.Equal(new KvEventBatch(1712345678.5, [
            new BlockStored([12345UL, ulong.MaxValue], null, [151644, 872, 198, 9064], 2, Medium: "GPU"),
            new BlockRemoved([12345UL], "GPU"),
            new AllBlocksCleared(),
        ], 1), batch);
    }

    [Fact]
    public void Bytes_hashes_negative_integer_hashes_and_unknown_trailing_fields_decode()
    {
        byte[] sha = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
        // vLLM ≥ 0.19 appends extra_keys, group_idx, kv_cache_spec_kind, kv_cache_spec_sliding_window; a future field follows.
        var payload = Payload(w =>
        {
            w.WriteArrayHeader(4);
            w.Write(1.0);
            w.WriteArrayHeader(2);
            w.WriteArrayHeader(13);
            w.Write("BlockStored");
            w.WriteArrayHeader(2);
            w.Write(sha);
            w.Write(-5L);
            w.Write(sha);
            w.WriteArrayHeader(2);
            w.Write(1);
            w.Write(2);
            w.Write(1);
            w.Write(7);
            w.Write("CPU");
            w.Write("my-lora");
            w.WriteArrayHeader(1);
            w.WriteNil();
            w.Write(0);
            w.Write("full_attention");
            w.WriteNil();
            w.Write("a field from the future");
            w.WriteArrayHeader(5);
            w.Write("BlockRemoved");
            w.WriteArrayHeader(1);
            w.Write(sha);
            w.WriteNil();
            w.Write(2);
            w.WriteArrayHeader(1); // remaining_copy_counts
            w.Write(0);
            w.WriteNil();
            w.Write(new byte[] { 9 }); // a field from the future on the batch
            w.Flush();
        });

        var batch = KvEventCodec.Decode(payload);

        var shaHash = EngineBlockHash.FromBytes(sha);
        Assert.Equal(new KvEventBatch(1.0, [
            new BlockStored([shaHash, unchecked((ulong)-5L)], shaHash, [1, 2], 1, 7, "CPU", "my-lora", 0),
            new BlockRemoved([shaHash], null, 2),
        ]), batch);
        Assert.True(((BlockStored)batch.Events[0]).BlockHashes[0].IsBytes);
    }

    [Fact]
    public void Tagged_map_events_in_any_key_order_and_a_map_batch_decode()
    {
        // vLLM after PR #42892: {"type": …, field: …}; keys are not ordered by contract, unknown ones are skipped.
        var payload = Payload(w =>
        {
            w.WriteMapHeader(3);
            w.Write("events");
            w.WriteArrayHeader(3);
            w.WriteMapHeader(9);
            w.Write("token_ids");
            w.WriteArrayHeader(2);
            w.Write(5);
            w.Write(6);
            w.Write("cache_salt");
            w.Write("tenant-a");
            w.Write("block_size");
            w.Write(2);
            w.Write("type");
            w.Write("BlockStored");
            w.Write("block_hashes");
            w.WriteArrayHeader(1);
            w.Write(99UL);
            w.Write("parent_block_hash");
            w.Write(98UL);
            w.Write("lora_id");
            w.WriteNil();
            w.Write("medium");
            w.Write("GPU");
            w.Write("lora_name");
            w.WriteNil();
            w.WriteMapHeader(2);
            w.Write("type");
            w.Write("SomethingNew");
            w.Write("x");
            w.Write(1);
            w.WriteMapHeader(1);
            w.Write("type");
            w.Write("AllBlocksCleared");
            w.Write("data_parallel_rank");
            w.Write(3);
            w.Write("ts");
            w.Write(2.5);
            w.Flush();
        });

        Assert.Equal(new KvEventBatch(2.5, [new BlockStored([99UL], 98UL, [5, 6], 2, Medium: "GPU"), new AllBlocksCleared()], 3),
            KvEventCodec.Decode(payload));
    }

    /// <summary>Writes one token id (by reference: a copied writer would lose what it buffered).</summary>
    private delegate void Token(ref MessagePackWriter writer);

    [Fact]
    public void Token_ids_in_any_integer_width_decode_and_one_past_int32_is_refused()
    {
        byte[] Tokens(params Token[] tokens) => Payload(w =>
        {
            w.WriteArrayHeader(2);
            w.Write(0.0);
            w.WriteArrayHeader(1);
            w.WriteArrayHeader(5);
            w.Write("BlockStored");
            w.WriteArrayHeader(0);
            w.WriteNil();
            w.WriteArrayHeader(tokens.Length);
            foreach (var token in tokens) token(ref w);
            w.Write(1);
            w.Flush();
        });

        var payload = Tokens((ref w) => w.Write(5), (ref w) => w.WriteUInt8(200), (ref w) => w.WriteInt16(-300), (ref w) => w.WriteUInt32(151_644),
            (ref w) => w.WriteInt64(7), (ref w) => w.Write(-2), (ref w) => w.WriteUInt64(int.MaxValue), (ref w) => w.WriteInt32(int.MinValue));
        var stored = (BlockStored)KvEventCodec.Decode(payload).Events[0];
        Assert.Equal([5, 200, -300, 151_644, 7, -2, int.MaxValue, int.MinValue], stored.TokenIds);

        Assert.Throws<KvEventFormatException>(() => KvEventCodec.Decode(Tokens((ref w) => w.Write(1), (ref w) => w.WriteUInt32(1u + int.MaxValue))));
        Assert.Throws<KvEventFormatException>(() => KvEventCodec.Decode(Tokens((ref w) => w.Write("x"))));
    }

    [Theory]
    [InlineData(new byte[] { }, "")]
    [InlineData(new byte[] { 0x01 }, "array")] // a bare integer
    [InlineData(new byte[] { 0x91, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0 }, "[ts, events] are required")] // [ts]
    [InlineData(new byte[] { 0x92, 0xa1, 0x78, 0x90 }, "ts must be a number")] // ["x", []]
    [InlineData(new byte[] { 0x92, 0x00, 0x91, 0x90 }, "empty array")] // [0, [[]]]
    [InlineData(new byte[] { 0x92, 0x00, 0x91, 0x91, 0x01 }, "tag must be a string")] // [0, [[1]]]
    [InlineData(new byte[] { 0x92, 0x00, 0x91, 0x81, 0xa1, 0x78, 0x01 }, "without a \"type\"")] // [0, [{"x": 1}]]
    [InlineData(new byte[] { 0x92, 0x00, 0x91, 0x92, 0xab, 0x42, 0x6c, 0x6f, 0x63, 0x6b, 0x53, 0x74, 0x6f, 0x72, 0x65, 0x64, 0x90 }, "BlockStored")] // [0, [["BlockStored", []]]]
    [InlineData(new byte[] { 0x92, 0x00, 0x90, 0x00 }, "follow the batch")]
    [InlineData(new byte[] { 0x92, 0x00, 0x91, 0x92, 0xac, 0x42, 0x6c, 0x6f, 0x63, 0x6b, 0x52, 0x65, 0x6d, 0x6f, 0x76, 0x65, 0x64, 0x91, 0xc4, 0x05, 0x01 }, "at byte")] // a bytes hash cut short (found by the fuzz below)
    public void A_payload_that_is_not_a_batch_is_refused_saying_why(byte[] payload, string reason)
    {
        var error = Assert.Throws<KvEventFormatException>(() => KvEventCodec.Decode(payload));
        Assert.Contains(reason, error.Message);
    }

    private static Gen<EngineBlockHash> Hash() => Gen.OneOf(
        ArbMap.Default.GeneratorFor<ulong>().Select(EngineBlockHash.FromInteger),
        Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>()).Select(bytes => EngineBlockHash.FromBytes(bytes)));

    private static Gen<string?> Text() => Gen.Elements<string?>(null, "GPU", "CPU", "", "lora-é");

    private static Gen<KvEvent> Event() => Gen.OneOf(
        from hashes in Gen.ArrayOf(Hash())
        from parent in Gen.OneOf(Gen.Constant<EngineBlockHash?>(null), Hash().Select(h => (EngineBlockHash?)h))
        from tokens in Gen.ArrayOf(ArbMap.Default.GeneratorFor<int>())
        from blockSize in Gen.Choose(1, 64)
        from lora in Gen.OneOf(Gen.Constant<long?>(null), ArbMap.Default.GeneratorFor<long>().Select(l => (long?)l))
        from medium in Text()
        from loraName in Text()
        from groupIdx in Gen.OneOf(Gen.Constant<long?>(null), Gen.Choose(0, 3).Select(g => (long?)g))
        select (KvEvent)new BlockStored(hashes, parent, tokens, blockSize, lora, medium, loraName, groupIdx),
        from hashes in Gen.ArrayOf(Hash())
        from medium in Text()
        from groupIdx in Gen.OneOf(Gen.Constant<long?>(null), Gen.Choose(0, 3).Select(g => (long?)g))
        select (KvEvent)new BlockRemoved(hashes, medium, groupIdx),
        Gen.Constant<KvEvent>(new AllBlocksCleared()));

    private static Gen<KvEventBatch> Batch() =>
        from ts in ArbMap.Default.GeneratorFor<NormalFloat>()
        from events in Gen.ListOf(Event())
        from rank in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(0, 1024).Select(r => (int?)r))
        select new KvEventBatch(ts.Get, events.ToArray(), rank);

    [Property(MaxTest = 300)]
    public Property Every_batch_decodes_to_itself_in_both_event_layouts() =>
        Prop.ForAll(Batch().ToArbitrary(), Gen.Elements(KvEventEncoding.TaggedArrays, KvEventEncoding.TaggedMaps).ToArbitrary(),
            (batch, encoding) => KvEventCodec.Decode(KvEventCodec.Encode(batch, encoding)).Equals(batch));

    [Property(MaxTest = 3000)]
    public Property A_cut_or_corrupted_payload_decodes_or_is_refused_with_a_format_error() =>
        Prop.ForAll(Batch().ToArbitrary(), Gen.Choose(0, 10_000).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), (batch, at, value) =>
        {
            var payload = KvEventCodec.Encode(batch);
            var position = at % payload.Length;
            byte[] damaged = at % 2 == 0 ? payload[..position] : [.. payload[..position], (byte)value, .. payload[(position + 1)..]];
            try
            {
                KvEventCodec.Decode(damaged);
                return true;
            }
            catch (KvEventFormatException)
            {
                return true;
            }
        });
}
