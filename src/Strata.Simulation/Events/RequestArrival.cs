namespace Strata.Simulation.Events;

/// <summary>The next request of the workload reaches the front end and is dispatched.</summary>
internal sealed class RequestArrival(double time, int index) : SimEvent(time)
{
    public int Index { get; } = index;

    public override EventPriority Priority => EventPriority.Arrival;

    public override void Handle(ClusterSimulator simulator) => simulator.OnArrival(this);
}
