namespace Strata.Core.Experts;

/// <summary>How many replicas each logical expert of a layer gets when the shape has redundant slots.</summary>
public static class ReplicaCounts
{
    /// <summary>
    /// D'Hondt: one replica each, then every redundant slot to the expert with the highest load per
    /// replica (lowest index on ties), capped at one replica per rank when every rank can hold distinct experts.
    /// </summary>
    public static int[] DHondt(IReadOnlyList<double> weight, PlacementShape shape)
    {
        var experts = weight.Count;
        var cap = shape.SlotsPerRank <= experts ? shape.Ranks : int.MaxValue;
        var count = Enumerable.Repeat(1, experts).ToArray();
        for (var slot = experts; slot < shape.PhysicalSlots; slot++)
        {
            var best = -1;
            for (var e = 0; e < experts; e++)
                if (count[e] < cap && (best < 0 || weight[e] / count[e] > weight[best] / count[best])) best = e;
            count[best]++;
        }
        return count;
    }
}
