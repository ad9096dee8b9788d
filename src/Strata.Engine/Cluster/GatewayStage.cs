using Strata.Core.Admission;
using Strata.Core.Policies;

namespace Strata.Engine.Cluster;

/// <summary>
/// The admission stage <c>strata serve</c> runs in front of the engines, simulated (cluster file <c>gateway:</c>):
/// requests wait in the gateway's queue, ordered by <paramref name="Queue"/>, until an engine runs fewer than
/// <paramref name="MaxInFlight"/> of them; the engines' own queues then hold what the gateway dispatched. Its keys
/// are the gateway config's (<c>max_in_flight</c>, <c>queue: {name, max_length}</c>); <c>ttl_s</c> is not simulated
/// and is refused.
/// </summary>
public sealed record GatewayStage(int MaxInFlight, PolicyOptions Queue, int MaxQueueLength = GatewayStage.DefaultMaxQueueLength)
{
    /// <summary>The gateway config's default <c>queue.max_length</c>.</summary>
    public const int DefaultMaxQueueLength = 1000;

    /// <summary>The limits the admission controller runs with; simulated engines never fail, so panic mode never applies.</summary>
    public AdmissionLimits Limits => new(MaxInFlight, MaxQueueLength);
}
