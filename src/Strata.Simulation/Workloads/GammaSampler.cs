namespace Strata.Simulation.Workloads;

/// <summary>
/// Gamma and normal variates from a seeded <see cref="Random"/>, so a workload depends only on its seed.
/// </summary>
internal static class GammaSampler
{
    /// <summary>
    /// Gamma(shape, scale) by Marsaglia and Tsang, "A simple method for generating gamma variables"
    /// (ACM TOMS 26(3), 2000): for shape ≥ 1 accept d·v with d = shape − 1/3, v = (1 + c·x)³,
    /// c = 1/√(9d), x standard normal; for shape &lt; 1 draw Gamma(shape + 1) and multiply by U^(1/shape).
    /// </summary>
    public static double Gamma(Random random, double shape, double scale)
    {
        if (shape < 1.0)
        {
            var boosted = Gamma(random, shape + 1.0, scale);
            return boosted * Math.Pow(OpenUnit(random), 1.0 / shape);
        }

        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = StandardNormal(random);
                v = 1.0 + c * x;
            }
            while (v <= 0.0);

            v = v * v * v;
            var u = OpenUnit(random);
            var xx = x * x;
            // The squeeze accepts ~98% of draws without a logarithm.
            if (u < 1.0 - 0.0331 * xx * xx) return d * v * scale;
            if (Math.Log(u) < 0.5 * xx + d * (1.0 - v + Math.Log(v))) return d * v * scale;
        }
    }

    /// <summary>Standard normal by the Box–Muller transform (one of the pair is enough here).</summary>
    public static double StandardNormal(Random random)
    {
        var u1 = OpenUnit(random);
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Uniform on (0, 1): logarithms and negative powers must never see 0.</summary>
    public static double OpenUnit(Random random)
    {
        double u;
        do u = random.NextDouble(); while (u <= 0.0);
        return u;
    }
}
