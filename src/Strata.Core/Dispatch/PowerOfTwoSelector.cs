using Strata.Core.Policies;

namespace Strata.Core.Dispatch;

/// <summary>
/// <c>power-of-two</c>: two distinct healthy engines drawn uniformly from the decision's draws, seeded by
/// <c>seed</c> (default 0; <see cref="DecisionRandom"/>); the less loaded one wins by <c>least-load</c>'s order, the first
/// drawn on ties (YARP's <c>PowerOfTwoChoices</c>, with pending prefill tokens as the load).
/// </summary>
public sealed class PowerOfTwoSelector : IEngineSelector
{
    public const string PolicyName = "power-of-two";

    private DecisionRandom _random;

    public PowerOfTwoSelector(int seed) => _random = new DecisionRandom(seed);

    public string Name => PolicyName;

    public static PowerOfTwoSelector FromOptions(PolicyOptions options)
    {
        options.RejectUnknownKeys("seed");
        return new PowerOfTwoSelector(options.GetInt("seed", 0));
    }

    public int Select(in DispatchRequest request, ReadOnlySpan<EngineView> engines, double now)
    {
        var healthy = EngineScan.CountHealthy(engines);
        if (healthy == 0) return -1;
        if (healthy == 1) return EngineScan.NthHealthy(engines, 0);
        var first = _random.Next(0, healthy);
        var second = _random.Next(1, healthy - 1);
        if (second >= first) second++;
        var a = EngineScan.NthHealthy(engines, first);
        var b = EngineScan.NthHealthy(engines, second);
        return LoadOrder.IsLessLoaded(engines, b, a) ? b : a;
    }

    public void OnRouted(in DispatchRequest request, int engine, ReadOnlySpan<EngineView> engines, double now) => _random.Advance();
}
