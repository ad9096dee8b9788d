namespace Strata.Core.Admission;

/// <summary>
/// The admission stage's limits: <paramref name="MaxInFlightPerEngine"/> of this stage's requests per engine before
/// new ones wait, at most <paramref name="MaxQueueLength"/> waiting, and <paramref name="Panic"/>: with every engine
/// out of the pool, use them all rather than refuse (Envoy's panic threshold at 0%).
/// </summary>
public sealed record AdmissionLimits(int MaxInFlightPerEngine, int MaxQueueLength, bool Panic = false)
{
    /// <summary>How many waiting requests one tenant may have, given its <c>queue_share</c>: at least one.</summary>
    public int QueueSlots(double queueShare) => Math.Max(1, (int)(queueShare * MaxQueueLength));
}
