namespace Strata.Simulation.Events;

/// <summary>Engines publish their load stats to the router (vLLM's DP coordinator tick, a gateway scrape).</summary>
internal sealed class StatsPublished(double time) : SimEvent(time)
{
    public override EventPriority Priority => EventPriority.StatsPublished;

    public override void Handle(ClusterSimulator simulator) => simulator.OnStatsPublished(this);
}
