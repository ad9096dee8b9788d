using System.Buffers.Binary;
using System.IO.Hashing;

namespace Strata.Engine;

/// <summary>
/// The chained content hashes of a request's full KV blocks, as vLLM's prefix cache computes
/// them: block i's hash covers its tokens and block i-1's hash, so equal hashes mean equal
/// prefixes. Token content comes from the request's <see cref="PrefixSegment"/>s; tokens past
/// them (and generated tokens, unless they continue the last segment) are unique to the request.
/// Hashes are computed on demand, front to back.
/// </summary>
public sealed class BlockHashChain
{
    private readonly IReadOnlyList<PrefixSegment> _segments;
    private readonly long _segmentLimit;
    private readonly bool _lastSegmentOpen;
    private readonly ulong _uniqueKey;
    private readonly int _blockSize;
    private ulong[] _hashes;
    private bool[] _shared;
    private int _count;

    // Cursor over the token stream: the segment the next token belongs to and its offset there.
    private int _segment;
    private long _offsetInSegment;
    private long _position;

    public BlockHashChain(RequestSpec spec, long requestId, int blockSize)
    {
        _segments = spec.Prefix;
        _lastSegmentOpen = spec.OutputContinuesPrefix && spec.Prefix.Count > 0;
        // Segment content stops at the end of the prompt unless the answer continues the last segment.
        _segmentLimit = _lastSegmentOpen ? long.MaxValue : spec.PromptTokens;
        // Spread so that key + block never meets another request's key + block: ids differ in low bits only.
        _uniqueKey = SplitMix(0x9E37_79B9_7F4A_7C15UL ^ (ulong)requestId);
        _blockSize = blockSize;
        // Sized for every full block the request can ever have, so the chain never regrows.
        var blocks = (spec.PromptTokens + spec.OutputTokens) / blockSize + 1;
        _hashes = new ulong[blocks];
        _shared = new bool[blocks];
    }

    /// <summary>
    /// True when block <paramref name="block"/> holds only prefix-segment content another request
    /// could share; false when any of it is unique to this request (only its own recompute can hit it).
    /// </summary>
    public bool IsShared(int block)
    {
        while (_count <= block) ComputeNext();
        return _shared[block];
    }

    /// <summary>The hashes of the prompt's full blocks, what a prefix-aware router matches on.</summary>
    public ReadOnlyMemory<ulong> PromptBlocks(int promptTokens)
    {
        var blocks = promptTokens / _blockSize;
        if (blocks > 0) _ = this[blocks - 1];
        return _hashes.AsMemory(0, blocks);
    }

    /// <summary>The hash of full block <paramref name="block"/> (0-based).</summary>
    public ulong this[int block]
    {
        get
        {
            while (_count <= block) ComputeNext();
            return _hashes[block];
        }
    }

    private void ComputeNext()
    {
        if (_segment >= _segments.Count || _position >= _segmentLimit)
        {
            // Past the shared content every block is the request's own: only its own recompute can
            // look it up, so a cheap unique mix replaces the chained content hash.
            _shared[_count] = false;
            _hashes[_count] = SplitMix(_uniqueKey + (ulong)_count);
            _position += _blockSize;
            _count++;
            return;
        }
        var hash = _count == 0 ? 0UL : _hashes[_count - 1];
        var shared = _count == 0 || _shared[_count - 1];
        long left = _blockSize;
        while (left > 0)
        {
            long run;
            if (_segment < _segments.Count && _position < _segmentLimit)
            {
                var segment = _segments[_segment];
                var isLast = _segment == _segments.Count - 1;
                var segmentLeft = isLast && _lastSegmentOpen ? long.MaxValue : segment.Tokens - _offsetInSegment;
                run = Math.Min(left, Math.Min(segmentLeft, _segmentLimit - _position));
                hash = Mix(hash, segment.Key, _offsetInSegment, run);
                _offsetInSegment += run;
                if (_offsetInSegment == segment.Tokens && !(isLast && _lastSegmentOpen))
                {
                    _segment++;
                    _offsetInSegment = 0;
                }
            }
            else
            {
                run = left;
                hash = Mix(hash, _uniqueKey, _position, run);
                shared = false;
            }
            _position += run;
            left -= run;
        }
        _shared[_count] = shared;
        _hashes[_count++] = hash;
    }

    /// <summary>SplitMix64's finaliser: distinct inputs give well-spread, practically distinct outputs.</summary>
    private static ulong SplitMix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private static ulong Mix(ulong previous, ulong key, long offset, long length)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, key);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], offset);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], length);
        return XxHash64.HashToUInt64(bytes, (long)previous);
    }
}
