namespace Strata.Simulation.Metrics;

/// <summary>
/// A histogram of positive values with ~0.5% relative bucket width, indexed straight from the
/// bits of the double (128 buckets per power of two, as HdrHistogram does), for per-token
/// latencies whose count grows with the run: memory stays fixed. Mean and std are exact.
/// </summary>
internal sealed class LogHistogram
{
    private const int SubBucketBits = 7;
    private const int Shift = 52 - SubBucketBits;
    private static readonly long MinKey = Key(1e-7);
    private static readonly long MaxKey = Key(1e6);

    private readonly long[] _counts = new long[MaxKey - MinKey + 1];

    public long Count { get; private set; }
    public double Sum { get; private set; }
    public double SumOfSquares { get; private set; }

    public void Add(double value)
    {
        var key = Math.Clamp(Key(Math.Max(value, 1e-7)), MinKey, MaxKey);
        _counts[key - MinKey]++;
        Count++;
        Sum += value;
        SumOfSquares += value * value;
    }

    public double Mean => Count == 0 ? 0 : Sum / Count;

    public double StandardDeviation => Count == 0 ? 0 : Math.Sqrt(Math.Max(0, SumOfSquares / Count - Mean * Mean));

    /// <summary>The value at percentile <paramref name="p"/> (0..100), as the midpoint of its bucket.</summary>
    public double Percentile(double p)
    {
        if (Count == 0) return 0;
        var rank = (long)Math.Floor(p / 100.0 * (Count - 1));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen > rank) return Midpoint(i + MinKey);
        }
        return Midpoint(MaxKey);
    }

    private static long Key(double value) => BitConverter.DoubleToInt64Bits(value) >> Shift;

    private static double Midpoint(long key)
    {
        var low = BitConverter.Int64BitsToDouble(key << Shift);
        var high = BitConverter.Int64BitsToDouble((key + 1) << Shift);
        return (low + high) / 2;
    }
}
