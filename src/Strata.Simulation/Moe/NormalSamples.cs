namespace Strata.Simulation.Moe;

/// <summary>
/// Standard normal draws for the per-step routing noise: 64 Ki Box–Muller samples drawn once
/// from the seed, read from a random offset each step. Cheaper than transcendental functions on
/// the step path, and every step still sees different, seed-determined noise.
/// </summary>
internal sealed class NormalSamples
{
    private const int Size = 1 << 16;
    private readonly double[] _samples = new double[Size];
    private readonly Random _random;
    private int _cursor;

    public NormalSamples(Random random)
    {
        _random = random;
        var gaussian = new Gaussian(random);
        for (var i = 0; i < Size; i++) _samples[i] = gaussian.Next();
    }

    /// <summary>Jumps to a fresh random position; call once per step.</summary>
    public void Reposition() => _cursor = _random.Next(Size);

    public double Next()
    {
        var value = _samples[_cursor];
        _cursor = (_cursor + 1) & (Size - 1);
        return value;
    }
}
