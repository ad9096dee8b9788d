namespace Strata.Core.Dispatch;

/// <summary>
/// How a selector ranks engines for <see cref="EngineScan.Best{TOrder}"/>: which healthy engines may be
/// chosen at all, and which of two is better. A struct, so the scan is specialised per order and allocates nothing.
/// </summary>
public interface IEngineOrder
{
    /// <summary>Whether healthy engine <paramref name="i"/> may be chosen.</summary>
    bool Eligible(ReadOnlySpan<EngineView> engines, int i);

    /// <summary>Negative when engine <paramref name="a"/> is better than <paramref name="b"/>, 0 when they tie, positive when worse.</summary>
    int Compare(ReadOnlySpan<EngineView> engines, int a, int b);
}
