namespace Strata.Simulation.Events;

/// <summary>An EP group's step ends: tokens are sampled, and the next step starts if there is work.</summary>
internal sealed class StepCompleted(double time, int group) : SimEvent(time)
{
    public int Group { get; } = group;

    public override EventPriority Priority => EventPriority.StepCompleted;

    public override void Handle(ClusterSimulator simulator) => simulator.OnStepCompleted(this);
}
