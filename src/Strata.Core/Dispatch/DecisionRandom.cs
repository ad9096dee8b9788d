namespace Strata.Core.Dispatch;

/// <summary>
/// Random draws for routing decisions that do not change when read: draw k of decision n is a hash of
/// (seed, n, k) (SplitMix64's finaliser), and only <see cref="Advance"/> (a selector's OnRouted) moves to
/// the next decision. So a selector that breaks ties or samples at random keeps a side-effect-free Select,
/// and the same seed still gives the same decisions.
/// </summary>
public struct DecisionRandom(int seed)
{
    private readonly ulong _seed = (ulong)seed * 0x9E3779B97F4A7C15UL;
    private ulong _decision;

    /// <summary>Draw <paramref name="k"/> of the current decision, uniform in [0, 1).</summary>
    public readonly double Draw(int k) => (Mix(_seed ^ Mix(_decision + 1) ^ ((ulong)k * 0xD1B54A32D192ED03UL)) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Draw <paramref name="k"/> of the current decision, uniform over 0 … <paramref name="count"/> − 1.</summary>
    public readonly int Next(int k, int count) => (int)(Draw(k) * count);

    /// <summary>The decision was committed: the next one draws afresh.</summary>
    public void Advance() => _decision++;

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
