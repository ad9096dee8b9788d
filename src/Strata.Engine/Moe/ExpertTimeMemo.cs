using System.Runtime.CompilerServices;

namespace Strata.Engine.Moe;

/// <summary>
/// The last expert-layer time computed for each (token-expert pairs, distinct experts) of an EP rank, in a
/// direct-mapped table. Both counts are whole numbers and a decode step's ranks see the same few again and again,
/// so most of a step's layer × rank lookups of the kernel table are answered here with the value the table gave.
/// </summary>
public sealed class ExpertTimeMemo
{
    private const int Bits = 14;
    private readonly Entry[] _entries = new Entry[1 << Bits];
    private readonly Func<double, double, double> _compute;

    /// <param name="compute">The layer time of a rank from its pairs and distinct experts; a pure function.</param>
    public ExpertTimeMemo(Func<double, double, double> compute)
    {
        _compute = compute;
        Array.Fill(_entries, new Entry(-1, 0));
    }

    /// <summary>The time of a rank with <paramref name="pairs"/> pairs on <paramref name="distinct"/> experts, both whole and ≥ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Seconds(double pairs, double distinct)
    {
        var key = (long)pairs << 24 | (long)distinct;
        var slot = (int)((ulong)key * 0x9E3779B97F4A7C15UL >> (64 - Bits));
        ref var entry = ref _entries[slot];
        if (entry.Key == key) return entry.Seconds;
        entry = new Entry(key, _compute(pairs, distinct));
        return entry.Seconds;
    }

    private readonly record struct Entry(long Key, double Seconds);
}
