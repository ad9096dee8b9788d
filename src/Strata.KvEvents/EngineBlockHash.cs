using System.Globalization;

namespace Strata.KvEvents;

/// <summary>
/// An engine's name for a KV block, opaque to Strata: vLLM's <c>ExternalBlockHash</c> is an integer (the last 8
/// bytes of its block hash, or Python's <c>hash()</c> in older releases, which may be negative) or the raw
/// bytes of a SHA-256 block hash. A negative integer is kept as its two's-complement bit pattern, so
/// equality is on the 64 bits the engine sent.
/// </summary>
public readonly struct EngineBlockHash : IEquatable<EngineBlockHash>
{
    private readonly byte[]? _bytes;

    private EngineBlockHash(ulong integer, byte[]? bytes)
    {
        Integer = integer;
        _bytes = bytes;
    }

    /// <summary>The integer form (0 when <see cref="IsBytes"/>).</summary>
    public ulong Integer { get; }

    /// <summary>Whether the engine sent the hash as bytes rather than an integer.</summary>
    public bool IsBytes => _bytes is not null;

    /// <summary>The bytes form (empty when the hash is an integer).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    public static EngineBlockHash FromInteger(ulong value) => new(value, null);

    public static EngineBlockHash FromBytes(ReadOnlySpan<byte> value) => new(0, value.ToArray());

    public static implicit operator EngineBlockHash(ulong value) => FromInteger(value);

    public bool Equals(EngineBlockHash other) =>
        _bytes is null ? other._bytes is null && Integer == other.Integer
            : other._bytes is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is EngineBlockHash other && Equals(other);

    public override int GetHashCode()
    {
        if (_bytes is null) return Integer.GetHashCode();
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(EngineBlockHash left, EngineBlockHash right) => left.Equals(right);

    public static bool operator !=(EngineBlockHash left, EngineBlockHash right) => !left.Equals(right);

    /// <summary>The integer in decimal, or the bytes in lower-case hex.</summary>
    public override string ToString() =>
        _bytes is null ? Integer.ToString(CultureInfo.InvariantCulture) : Convert.ToHexStringLower(_bytes);
}
