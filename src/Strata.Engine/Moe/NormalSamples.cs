namespace Strata.Engine.Moe;

/// <summary>
/// Standard normal draws for the per-step routing noise: 16 Ki Box–Muller samples drawn once
/// from the seed, read as a block from a random offset each step. Cheaper than transcendental functions on
/// the step path, and every step still sees different, seed-determined noise.
/// </summary>
public sealed class NormalSamples
{
    private const int Size = 1 << 14;
    private readonly double[] _samples = new double[Size];
    private readonly Random _random;

    public NormalSamples(Random random)
    {
        _random = random;
        var gaussian = new Gaussian(random);
        for (var i = 0; i < Size; i++) _samples[i] = gaussian.Next();
    }

    /// <summary><paramref name="count"/> consecutive draws from a fresh random position; call once per step.</summary>
    public ReadOnlySpan<double> Take(int count)
    {
        if (count > Size) throw new ArgumentOutOfRangeException(nameof(count), $"At most {Size} draws per step.");
        return _samples.AsSpan(_random.Next(Size - count + 1), count);
    }
}
