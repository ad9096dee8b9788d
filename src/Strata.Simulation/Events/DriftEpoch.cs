namespace Strata.Simulation.Events;

/// <summary>Expert popularity drifts one step; the EP groups re-tabulate their routing tables.</summary>
internal sealed class DriftEpoch(double time) : SimEvent(time)
{
    public override EventPriority Priority => EventPriority.Drift;

    public override void Handle(ClusterSimulator simulator) => simulator.OnDrift(this);
}
