using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Strata.Core.Dispatch.PrefixCache;

/// <summary>
/// Chained hashes of a prompt's full KV blocks, the keys of a <see cref="PrefixIndex"/>: block i's
/// hash is XxHash64 of its tokens (little-endian int32s) seeded with block i−1's hash, the first
/// block seeded with <see cref="Seed"/> (e.g. a hash of the model name). Chaining makes a hash
/// stand for the whole prefix up to its block, as vLLM's prefix cache keys blocks; only full
/// blocks are hashed, as only full blocks are shared by vLLM's cache.
/// <para>Without a tokenizer, UTF-8 bytes stand in for tokens: every 4 bytes are one pseudo-token
/// (llm-d's <c>estimate</c> tokenizer, <c>llm-d/llm-d-router</c> @ ebab6879 <c>tokenizer/estimate.go</c>), so a block covers
/// 4·<see cref="BlockSize"/> bytes and a trailing partial block is dropped.</para>
/// </summary>
public sealed class PrefixBlockHasher
{
    /// <summary>UTF-8 bytes per pseudo-token when no tokenizer is at hand.</summary>
    public const int BytesPerPseudoToken = 4;

    public PrefixBlockHasher(int blockSize = 16, ulong seed = 0)
    {
        if (blockSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "block_size must be a positive number of tokens, e.g. 16 (vLLM's default).");
        BlockSize = blockSize;
        Seed = seed;
    }

    /// <summary>Tokens per KV block.</summary>
    public int BlockSize { get; }

    public ulong Seed { get; }

    /// <summary>Pseudo-tokens in <paramref name="utf8Bytes"/> bytes of text (rounded up), a prompt-length estimate.</summary>
    public static int EstimateTokens(int utf8Bytes) => (utf8Bytes + BytesPerPseudoToken - 1) / BytesPerPseudoToken;

    public int FullBlocks(int tokens) => tokens / BlockSize;

    public ulong[] HashTokens(ReadOnlySpan<int> tokens)
    {
        var hashes = new ulong[FullBlocks(tokens.Length)];
        HashTokens(tokens, hashes);
        return hashes;
    }

    /// <summary>Writes the hashes of the full blocks of real token ids; returns how many.</summary>
    public int HashTokens(ReadOnlySpan<int> tokens, Span<ulong> destination) => HashTokens(Seed, tokens, destination);

    /// <summary>
    /// Continues a chain: writes the hashes of the full blocks of <paramref name="tokens"/> as if they followed the
    /// block whose hash is <paramref name="parent"/> (<see cref="Seed"/> for none); returns how many. An engine's
    /// KV event names a stored run of blocks by its parent, so the run's keys are computed from the parent's key.
    /// </summary>
    public int HashTokens(ulong parent, ReadOnlySpan<int> tokens, Span<ulong> destination) =>
        HashBytes(MemoryMarshal.AsBytes(tokens), BlockSize * sizeof(int), parent, destination);

    public ulong[] HashText(string text)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, rented);
            return HashUtf8(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Hashes UTF-8 text as pseudo-tokens of <see cref="BytesPerPseudoToken"/> bytes.</summary>
    public ulong[] HashUtf8(ReadOnlySpan<byte> utf8)
    {
        var blockBytes = BlockSize * BytesPerPseudoToken;
        var hashes = new ulong[utf8.Length / blockBytes];
        HashBytes(utf8, blockBytes, Seed, hashes);
        return hashes;
    }

    // Packing 4 bytes into a little-endian uint32 pseudo-token and hashing the token's bytes is
    // hashing the bytes themselves, so text needs no packing step.
    private static int HashBytes(ReadOnlySpan<byte> bytes, int blockBytes, ulong parent, Span<ulong> destination)
    {
        var blocks = Math.Min(bytes.Length / blockBytes, destination.Length);
        for (var i = 0; i < blocks; i++)
        {
            parent = XxHash64.HashToUInt64(bytes.Slice(i * blockBytes, blockBytes), unchecked((long)parent));
            destination[i] = parent;
        }
        return blocks;
    }
}
