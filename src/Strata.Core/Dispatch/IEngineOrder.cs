namespace Strata.Core.Dispatch;

/// <summary>
/// How a selector ranks engines for <see cref="EngineScan.Best{TOrder}"/>: which healthy engines may be chosen at
/// all, a score (lower is better, computed once per engine per scan), and how to order engines of equal score. A
/// struct, so the scan is specialised per order and allocates nothing.
/// </summary>
public interface IEngineOrder
{
    /// <summary>Whether healthy engine <paramref name="i"/> may be chosen.</summary>
    bool Eligible(ReadOnlySpan<EngineView> engines, int i);

    /// <summary>Engine <paramref name="i"/>'s score; the lowest wins.</summary>
    double Score(ReadOnlySpan<EngineView> engines, int i);

    /// <summary>For two engines of equal score: negative when <paramref name="a"/> goes first, 0 when they tie, positive when <paramref name="b"/> does.</summary>
    int BreakTie(ReadOnlySpan<EngineView> engines, int a, int b);
}
