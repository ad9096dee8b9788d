namespace Strata.Simulation.Workloads;

/// <summary>What to run: a preset name or a trace path, and how to shape it.</summary>
/// <param name="NameOrPath">A preset (<see cref="WorkloadCatalog.Presets"/>) or a trace file.</param>
/// <param name="Rate">Requests per second (<c>--rate</c>). Presets default to 1.4; a trace keeps its own arrivals unless this is given.</param>
/// <param name="Burstiness">Gamma shape of the inter-arrival gaps (<c>--burstiness</c>); 1 is Poisson.</param>
/// <param name="Requests">How many requests (<c>--requests</c>): presets default to 1,000; a trace is cut to its first ones.</param>
/// <param name="Seed">Same seed, same workload.</param>
public sealed record WorkloadOptions(string NameOrPath, double? Rate = null, double Burstiness = 1.0, int? Requests = null, int Seed = 0);
