namespace Strata.Simulation.Workloads;

/// <summary>A workload that cannot be read or generated; the message names the field or line and the fix.</summary>
public sealed class WorkloadException(string message) : Exception(message);
