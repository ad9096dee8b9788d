namespace Strata.Simulation.Events;

/// <summary>Something that happens at a point of virtual time; each kind has one handler and a priority among same-time events.</summary>
internal abstract class SimEvent(double time)
{
    public double Time { get; } = time;

    public abstract EventPriority Priority { get; }

    public abstract void Handle(ClusterSimulator simulator);
}
