namespace Strata.Core.Dispatch;

/// <summary>Scans over the healthy engines of a pool that several selectors share.</summary>
internal static class EngineScan
{
    public static int CountHealthy(ReadOnlySpan<EngineView> engines)
    {
        var count = 0;
        foreach (ref readonly var engine in engines)
            if (engine.Healthy) count++;
        return count;
    }

    /// <summary>The index of the <paramref name="n"/>-th healthy engine (0-based), or -1.</summary>
    public static int NthHealthy(ReadOnlySpan<EngineView> engines, int n)
    {
        for (var i = 0; i < engines.Length; i++)
        {
            if (!engines[i].Healthy) continue;
            if (n-- == 0) return i;
        }
        return -1;
    }

    /// <summary>True when <paramref name="index"/> names a healthy engine of the pool.</summary>
    public static bool IsHealthy(ReadOnlySpan<EngineView> engines, int index) =>
        (uint)index < (uint)engines.Length && engines[index].Healthy;
}
