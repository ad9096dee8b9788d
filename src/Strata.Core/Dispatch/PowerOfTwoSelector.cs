namespace Strata.Core.Dispatch;

/// <summary>
/// <c>power-of-two</c>: two distinct healthy engines drawn at random (seeded), the one with
/// fewer pending prefill tokens wins — the classic "power of two choices", which avoids the herd
/// effect of everyone picking the single least-loaded engine on stale signals.
/// </summary>
public sealed class PowerOfTwoSelector(int seed = 0) : IEngineSelector
{
    public const string PolicyName = "power-of-two";

    private readonly Random _random = new(seed);
    private int[] _healthy = [];

    public string Name => PolicyName;

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        if (_healthy.Length < engines.Length) _healthy = new int[engines.Length];
        var count = 0;
        for (var i = 0; i < engines.Length; i++)
            if (engines[i].Healthy) _healthy[count++] = i;
        if (count == 0) return -1;
        if (count == 1) return _healthy[0];
        var first = _random.Next(count);
        var second = _random.Next(count - 1);
        if (second >= first) second++;
        var a = _healthy[first];
        var b = _healthy[second];
        return engines[b].PendingPrefillTokens < engines[a].PendingPrefillTokens ? b : a;
    }
}
