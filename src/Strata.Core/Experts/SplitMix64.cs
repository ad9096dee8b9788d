namespace Strata.Core.Experts;

/// <summary>
/// A small seeded generator (SplitMix64, Steele et al. 2014) for <see cref="ReplicaLayout.Anneal"/>, which draws
/// several numbers per step for millions of steps: a seeded <see cref="Random"/> runs .NET's legacy
/// subtractive generator behind virtual calls, which was about a sixth of a <c>balanced</c> plan. Deterministic
/// for a seed on every platform.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Uniform in [0, <paramref name="bound"/>), by the multiply-shift map of the top 32 bits (bias below 2^-32 · bound).</summary>
    public int Next(int bound) => (int)(((NextUInt64() >> 32) * (ulong)bound) >> 32);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
