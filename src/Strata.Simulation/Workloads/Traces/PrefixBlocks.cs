using Strata.Engine;
namespace Strata.Simulation.Workloads.Traces;

/// <summary>
/// Prefix identity written as ids of consecutive fixed-size blocks (Mooncake's <c>hash_ids</c> over
/// 512 tokens, the native <c>prefix_blocks</c>): one segment per block, the last one cut to what
/// remains of the prompt, since a trace's prompt rarely ends on a block boundary.
/// </summary>
internal static class PrefixBlocks
{
    public static IReadOnlyList<PrefixSegment> Segments(IReadOnlyList<ulong> ids, int blockTokens, int promptTokens, TraceLine line, string field)
    {
        if (ids.Count == 0) return [];
        var covered = (long)(ids.Count - 1) * blockTokens;
        if (covered >= promptTokens)
            throw line.Error(field, $"has {ids.Count} blocks of {blockTokens} tokens, more than the {promptTokens}-token prompt can hold ({(promptTokens + blockTokens - 1) / blockTokens} at most)");

        var segments = new PrefixSegment[ids.Count];
        for (var i = 0; i < ids.Count; i++)
            segments[i] = new PrefixSegment(ids[i], Math.Min(blockTokens, promptTokens - i * blockTokens));
        return segments;
    }
}
