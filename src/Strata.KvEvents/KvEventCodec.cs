using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Strata.KvEvents;

/// <summary>
/// vLLM's KV-event payload in msgpack, both ways. The layout follows <c>vllm/distributed/kv_events.py</c>
/// (vllm-project/vllm @ 0181ea3173e53eea8cf04a86891488e3dc89bb34, read, not copied): a batch is
/// <c>[ts, events, data_parallel_rank]</c> (msgspec <c>array_like</c>, the rank left off when null); each event is
/// either a tagged array (<c>["BlockStored", block_hashes, parent_block_hash, token_ids, block_size, lora_id,
/// medium, lora_name, extra_keys, group_idx, …]</c>, <c>["BlockRemoved", block_hashes, medium, group_idx]</c>,
/// <c>["AllBlocksCleared"]</c>, trailing defaults omitted) or, since vLLM PR #42892, a map with the tag under
/// <c>"type"</c>. Decoding reads both event layouts and a map-shaped batch (<c>{"ts", "events",
/// "data_parallel_rank"}</c>, which that commit's source declares while released servers still send the
/// array), integer or bytes block hashes, and skips fields and event types it does not know, so newer vLLM
/// releases still decode. Anything else is a <see cref="KvEventFormatException"/>.
/// </summary>
public static class KvEventCodec
{
    private const string StoredTag = "BlockStored", RemovedTag = "BlockRemoved", ClearedTag = "AllBlocksCleared";

    /// <summary>The payload frame for <paramref name="batch"/>.</summary>
    public static byte[] Encode(KvEventBatch batch, KvEventEncoding encoding = KvEventEncoding.TaggedArrays)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(batch, encoding, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the payload for <paramref name="batch"/> to <paramref name="output"/>.</summary>
    public static void Encode(KvEventBatch batch, KvEventEncoding encoding, IBufferWriter<byte> output)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(batch.DataParallelRank is null ? 2 : 3);
        writer.Write(batch.Timestamp);
        writer.WriteArrayHeader(batch.Events.Count);
        foreach (var kvEvent in batch.Events) WriteEvent(ref writer, kvEvent, encoding == KvEventEncoding.TaggedMaps);
        if (batch.DataParallelRank is { } rank) writer.Write(rank);
        writer.Flush();
    }

    /// <summary>Reads one payload frame.</summary>
    /// <exception cref="KvEventFormatException">The payload is not a vLLM event batch.</exception>
    public static KvEventBatch Decode(ReadOnlyMemory<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        try
        {
            var batch = reader.NextMessagePackType switch
            {
                MessagePackType.Array => ReadBatchArray(ref reader),
                MessagePackType.Map => ReadBatchMap(ref reader),
                var other => throw Malformed($"the batch must be an array [ts, events, data_parallel_rank] or a map, not {other}"),
            };
            if (!reader.End) throw Malformed($"{Remaining(reader)} bytes follow the batch");
            return batch;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException
                                       or ArgumentOutOfRangeException) // MessagePackReader.ReadBytes slicing past a cut bin
        {
            throw new KvEventFormatException($"Not a vLLM KV-event batch: {e.Message} (at byte {payload.Length - Remaining(reader)} of {payload.Length}).", e);
        }
    }

    /// <summary>Bytes not yet read (the reader may have been re-based past bytes read directly).</summary>
    private static long Remaining(in MessagePackReader reader) => reader.Sequence.Length - reader.Consumed;

    private static KvEventBatch ReadBatchArray(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        if (count < 2) throw Malformed($"the batch array has {count} elements; [ts, events] are required");
        var timestamp = ReadTimestamp(ref reader);
        var events = ReadEvents(ref reader);
        int? rank = count > 2 ? ReadNullableInt(ref reader) : null;
        for (var i = 3; i < count; i++) reader.Skip();
        return new KvEventBatch(timestamp, events, rank);
    }

    private static KvEventBatch ReadBatchMap(ref MessagePackReader reader)
    {
        double? timestamp = null;
        IReadOnlyList<KvEvent>? events = null;
        int? rank = null;
        for (var count = reader.ReadMapHeader(); count > 0; count--)
        {
            switch (reader.ReadString())
            {
                case "ts": timestamp = ReadTimestamp(ref reader); break;
                case "events": events = ReadEvents(ref reader); break;
                case "data_parallel_rank": rank = ReadNullableInt(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        if (timestamp is null || events is null) throw Malformed("the batch map lacks \"ts\" or \"events\"");
        return new KvEventBatch(timestamp.Value, events, rank);
    }

    private static double ReadTimestamp(ref MessagePackReader reader) =>
        reader.NextMessagePackType is MessagePackType.Float or MessagePackType.Integer
            ? reader.ReadDouble()
            : throw Malformed($"ts must be a number, not {reader.NextMessagePackType}");

    private static List<KvEvent> ReadEvents(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Array) throw Malformed($"events must be an array, not {reader.NextMessagePackType}");
        var count = reader.ReadArrayHeader();
        var events = new List<KvEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var kvEvent = reader.NextMessagePackType switch
            {
                MessagePackType.Array => ReadEventArray(ref reader, i),
                MessagePackType.Map => ReadEventMap(ref reader, i),
                var other => throw Malformed($"event {i} must be a tagged array or map, not {other}"),
            };
            if (kvEvent is not null) events.Add(kvEvent);
        }
        return events;
    }

    /// <summary>A tagged array; null for a tag this version does not know.</summary>
    private static KvEvent? ReadEventArray(ref MessagePackReader reader, int index)
    {
        var count = reader.ReadArrayHeader();
        if (count == 0) throw Malformed($"event {index} is an empty array; its first element must be the tag");
        var tag = ReadTag(ref reader, index);
        var fields = new EventFields();
        var read = tag switch
        {
            StoredTag => ReadStoredFields(ref reader, count - 1, ref fields, index),
            RemovedTag => ReadRemovedFields(ref reader, count - 1, ref fields),
            _ => 0,
        };
        for (var i = 1 + read; i < count; i++) reader.Skip();
        return fields.Build(tag, index);
    }

    private static int ReadStoredFields(ref MessagePackReader reader, int available, ref EventFields fields, int index)
    {
        if (available < 4) throw Malformed($"event {index} (BlockStored) has {available} fields; block_hashes, parent_block_hash, token_ids and block_size are required");
        fields.BlockHashes = ReadHashes(ref reader);
        fields.Parent = ReadNullableHash(ref reader);
        fields.HasParent = true;
        fields.TokenIds = ReadTokens(ref reader);
        fields.BlockSize = reader.ReadInt32();
        if (available > 4) fields.LoraId = ReadNullableLong(ref reader);
        if (available > 5) fields.Medium = ReadNullableString(ref reader);
        if (available > 6) fields.LoraName = ReadNullableString(ref reader);
        if (available > 7) reader.Skip(); // extra_keys
        if (available > 8) fields.GroupIdx = ReadNullableLong(ref reader);
        return Math.Min(available, 9);
    }

    private static int ReadRemovedFields(ref MessagePackReader reader, int available, ref EventFields fields)
    {
        if (available < 1) return 0;
        fields.BlockHashes = ReadHashes(ref reader);
        if (available > 1) fields.Medium = ReadNullableString(ref reader);
        if (available > 2) fields.GroupIdx = ReadNullableLong(ref reader);
        return Math.Min(available, 3);
    }

    /// <summary>A tagged map (keys in any order); null for a tag this version does not know.</summary>
    private static KvEvent? ReadEventMap(ref MessagePackReader reader, int index)
    {
        string? tag = null;
        var fields = new EventFields();
        for (var count = reader.ReadMapHeader(); count > 0; count--)
        {
            switch (reader.ReadString())
            {
                case "type": tag = ReadTag(ref reader, index); break;
                case "block_hashes": fields.BlockHashes = ReadHashes(ref reader); break;
                case "parent_block_hash": fields.Parent = ReadNullableHash(ref reader); fields.HasParent = true; break;
                case "token_ids": fields.TokenIds = ReadTokens(ref reader); break;
                case "block_size": fields.BlockSize = reader.ReadInt32(); break;
                case "lora_id": fields.LoraId = ReadNullableLong(ref reader); break;
                case "medium": fields.Medium = ReadNullableString(ref reader); break;
                case "lora_name": fields.LoraName = ReadNullableString(ref reader); break;
                case "group_idx": fields.GroupIdx = ReadNullableLong(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return fields.Build(tag ?? throw Malformed($"event {index} is a map without a \"type\" tag"), index);
    }

    private static string ReadTag(ref MessagePackReader reader, int index) =>
        reader.NextMessagePackType == MessagePackType.String
            ? reader.ReadString()!
            : throw Malformed($"event {index}'s tag must be a string, not {reader.NextMessagePackType}");

    private static EngineBlockHash[] ReadHashes(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Array) throw Malformed($"block_hashes must be an array, not {reader.NextMessagePackType}");
        var hashes = new EngineBlockHash[reader.ReadArrayHeader()];
        for (var i = 0; i < hashes.Length; i++) hashes[i] = ReadHash(ref reader);
        return hashes;
    }

    private static EngineBlockHash? ReadNullableHash(ref MessagePackReader reader) => reader.TryReadNil() ? null : ReadHash(ref reader);

    private static EngineBlockHash ReadHash(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Integer:
                return reader.NextCode == MessagePackCode.UInt64 ? reader.ReadUInt64() : unchecked((ulong)reader.ReadInt64());
            case MessagePackType.Binary:
                var bytes = reader.ReadBytes()!.Value;
                return EngineBlockHash.FromBytes(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray());
            default:
                throw Malformed($"a block hash must be an integer or bytes, not {reader.NextMessagePackType}");
        }
    }

    /// <summary>
    /// Token ids, the bulk of a payload (a 64-block run holds 1,024): read straight from the bytes while they are
    /// in one segment and each is a fixint or an 8/16/32-bit int that fits an int32, which is how msgpack writes one;
    /// anything else, and whatever follows it, goes through the reader (which throws for what is not an int32).
    /// </summary>
    private static int[] ReadTokens(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Array) throw Malformed($"token_ids must be an array, not {reader.NextMessagePackType}");
        var tokens = new int[reader.ReadArrayHeader()];
        var rest = reader.Sequence.Slice(reader.Position);
        var read = 0;
        if (rest.IsSingleSegment)
        {
            var consumed = ReadInt32s(rest.FirstSpan, tokens, out read);
            if (consumed > 0) reader = reader.Clone(rest.Slice(consumed));
        }
        for (; read < tokens.Length; read++) tokens[read] = reader.ReadInt32();
        return tokens;
    }

    /// <summary>Reads msgpack ints that fit an int32 into <paramref name="values"/> until one does not or it is full; returns the bytes read.</summary>
    private static int ReadInt32s(ReadOnlySpan<byte> bytes, Span<int> values, out int count)
    {
        var at = 0;
        for (count = 0; count < values.Length && at < bytes.Length; count++)
        {
            var code = bytes[at];
            var rest = bytes.Length - at;
            if (code <= MessagePackCode.MaxFixInt) (values[count], at) = (code, at + 1);
            else if (code >= MessagePackCode.MinNegativeFixInt) (values[count], at) = ((sbyte)code, at + 1);
            else if (code == MessagePackCode.UInt16 && rest >= 3) (values[count], at) = (BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 1)..]), at + 3);
            else if (code == MessagePackCode.UInt32 && rest >= 5 && BinaryPrimitives.ReadUInt32BigEndian(bytes[(at + 1)..]) <= int.MaxValue)
                (values[count], at) = ((int)BinaryPrimitives.ReadUInt32BigEndian(bytes[(at + 1)..]), at + 5);
            else if (code == MessagePackCode.UInt8 && rest >= 2) (values[count], at) = (bytes[at + 1], at + 2);
            else if (code == MessagePackCode.Int8 && rest >= 2) (values[count], at) = ((sbyte)bytes[at + 1], at + 2);
            else if (code == MessagePackCode.Int16 && rest >= 3) (values[count], at) = (BinaryPrimitives.ReadInt16BigEndian(bytes[(at + 1)..]), at + 3);
            else if (code == MessagePackCode.Int32 && rest >= 5) (values[count], at) = (BinaryPrimitives.ReadInt32BigEndian(bytes[(at + 1)..]), at + 5);
            else break;
        }
        return at;
    }

    private static int? ReadNullableInt(ref MessagePackReader reader) => reader.TryReadNil() ? null : reader.ReadInt32();

    private static long? ReadNullableLong(ref MessagePackReader reader) => reader.TryReadNil() ? null : reader.ReadInt64();

    private static string? ReadNullableString(ref MessagePackReader reader) => reader.TryReadNil() ? null : reader.ReadString();

    /// <summary>
    /// One event as a tagged array (fields in vLLM's order, <c>extra_keys</c> nil where a later field is written)
    /// or a tagged map (the same fields by name, the tag under <c>"type"</c>); trailing defaults are left off.
    /// </summary>
    private static void WriteEvent(ref MessagePackWriter writer, KvEvent kvEvent, bool maps)
    {
        switch (kvEvent)
        {
            case BlockStored stored:
                Start(ref writer, maps, StoredTag, stored.GroupIdx is null ? 7 : maps ? 8 : 9);
                Key(ref writer, maps, "block_hashes");
                WriteHashes(ref writer, stored.BlockHashes);
                Key(ref writer, maps, "parent_block_hash");
                WriteNullableHash(ref writer, stored.ParentBlockHash);
                Key(ref writer, maps, "token_ids");
                WriteTokens(ref writer, stored.TokenIds);
                Key(ref writer, maps, "block_size");
                writer.Write(stored.BlockSize);
                Key(ref writer, maps, "lora_id");
                WriteNullable(ref writer, stored.LoraId);
                Key(ref writer, maps, "medium");
                WriteNullable(ref writer, stored.Medium);
                Key(ref writer, maps, "lora_name");
                WriteNullable(ref writer, stored.LoraName);
                if (stored.GroupIdx is { } group)
                {
                    if (!maps) writer.WriteNil(); // extra_keys
                    Key(ref writer, maps, "group_idx");
                    writer.Write(group);
                }
                break;
            case BlockRemoved removed:
                Start(ref writer, maps, RemovedTag, removed.GroupIdx is null ? 2 : 3);
                Key(ref writer, maps, "block_hashes");
                WriteHashes(ref writer, removed.BlockHashes);
                Key(ref writer, maps, "medium");
                WriteNullable(ref writer, removed.Medium);
                if (removed.GroupIdx is { } removedGroup)
                {
                    Key(ref writer, maps, "group_idx");
                    writer.Write(removedGroup);
                }
                break;
            case AllBlocksCleared:
                Start(ref writer, maps, ClearedTag, 0);
                break;
            default:
                throw new ArgumentException($"{kvEvent.GetType().Name} is not a vLLM KV event.", nameof(kvEvent));
        }
    }

    /// <summary>The event's header (its fields and the tag) and its tag.</summary>
    private static void Start(ref MessagePackWriter writer, bool maps, string tag, int fields)
    {
        if (maps) writer.WriteMapHeader(fields + 1);
        else writer.WriteArrayHeader(fields + 1);
        Key(ref writer, maps, "type");
        writer.Write(tag);
    }

    /// <summary>A field's name, written only in the map layout.</summary>
    private static void Key(ref MessagePackWriter writer, bool maps, string name)
    {
        if (maps) writer.Write(name);
    }

    private static void WriteHashes(ref MessagePackWriter writer, IReadOnlyList<EngineBlockHash> hashes)
    {
        writer.WriteArrayHeader(hashes.Count);
        foreach (var hash in hashes) WriteHash(ref writer, hash);
    }

    private static void WriteNullableHash(ref MessagePackWriter writer, EngineBlockHash? hash)
    {
        if (hash is { } value) WriteHash(ref writer, value);
        else writer.WriteNil();
    }

    private static void WriteHash(ref MessagePackWriter writer, EngineBlockHash hash)
    {
        if (hash.IsBytes) writer.Write(hash.Bytes.Span);
        else writer.Write(hash.Integer);
    }

    private static void WriteTokens(ref MessagePackWriter writer, IReadOnlyList<int> tokens)
    {
        writer.WriteArrayHeader(tokens.Count);
        foreach (var token in tokens) writer.Write(token);
    }

    private static void WriteNullable(ref MessagePackWriter writer, long? value)
    {
        if (value is { } v) writer.Write(v);
        else writer.WriteNil();
    }

    private static void WriteNullable(ref MessagePackWriter writer, string? value)
    {
        if (value is null) writer.WriteNil();
        else writer.Write(value);
    }

    private static KvEventFormatException Malformed(string what) => new($"Not a vLLM KV-event batch: {what}.");

    /// <summary>An event's fields as read, in either layout, before its tag says which record they make.</summary>
    private struct EventFields
    {
        public EngineBlockHash[]? BlockHashes;
        public EngineBlockHash? Parent;
        public bool HasParent;
        public int[]? TokenIds;
        public int? BlockSize;
        public long? LoraId, GroupIdx;
        public string? Medium, LoraName;

        public readonly KvEvent? Build(string tag, int index) => tag switch
        {
            StoredTag => new BlockStored(
                BlockHashes ?? throw Malformed($"event {index} (BlockStored) lacks block_hashes"),
                HasParent ? Parent : throw Malformed($"event {index} (BlockStored) lacks parent_block_hash"),
                TokenIds ?? throw Malformed($"event {index} (BlockStored) lacks token_ids"),
                BlockSize ?? throw Malformed($"event {index} (BlockStored) lacks block_size"),
                LoraId, Medium, LoraName, GroupIdx),
            RemovedTag => new BlockRemoved(BlockHashes ?? throw Malformed($"event {index} (BlockRemoved) lacks block_hashes"), Medium, GroupIdx),
            ClearedTag => new AllBlocksCleared(),
            _ => null,
        };
    }
}
