using System.Buffers.Binary;

namespace Strata.KvEvents;

/// <summary>
/// The 8-byte big-endian sequence-number frame of vLLM's messages: live <c>[topic, seq, payload]</c>, replay
/// request <c>[seq]</c> (the first wanted), replay reply <c>[seq, payload]</c>, and the end of a replay
/// <c>[-1, empty]</c> (vllm-project/vllm @ 0181ea31 <c>vllm/distributed/kv_events.py</c>, <c>END_SEQ</c>).
/// </summary>
public static class KvEventFrame
{
    /// <summary>The sequence number that closes a replay.</summary>
    public const long EndOfReplay = -1;

    public static byte[] Sequence(long sequence)
    {
        var bytes = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(bytes, sequence);
        return bytes;
    }

    /// <summary>The sequence number in <paramref name="frame"/>, or false if it is not 8 bytes.</summary>
    public static bool TryReadSequence(ReadOnlySpan<byte> frame, out long sequence)
    {
        sequence = 0;
        if (frame.Length != sizeof(long)) return false;
        sequence = BinaryPrimitives.ReadInt64BigEndian(frame);
        return true;
    }
}
