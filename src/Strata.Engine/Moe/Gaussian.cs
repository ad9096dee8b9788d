namespace Strata.Engine.Moe;

/// <summary>Standard normal draws from a seeded <see cref="Random"/> (Box–Muller, both outputs used).</summary>
public sealed class Gaussian(Random random)
{
    private double _spare;
    private bool _hasSpare;

    public double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
        var angle = 2 * Math.PI * random.NextDouble();
        _spare = radius * Math.Sin(angle);
        _hasSpare = true;
        return radius * Math.Cos(angle);
    }
}
