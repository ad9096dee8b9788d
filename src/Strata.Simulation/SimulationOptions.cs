using Strata.Core.Policies;
using Strata.Simulation.Metrics;

namespace Strata.Simulation;

/// <summary>How one simulation run is labelled and judged.</summary>
/// <param name="Seed">Seeds every random draw of the run (routing samples; the workload has its own).</param>
/// <param name="WorkloadName">The preset or trace file, for the summary.</param>
/// <param name="Rate">The request rate the workload was generated with; null for a trace's own timing.</param>
/// <param name="Burstiness">Gamma shape of the arrivals.</param>
/// <param name="Slo">Goodput objectives; empty for none.</param>
/// <param name="Catalogs">The policies a cluster's names are built from, by default Strata.Core's (local-search planners);
/// the CLI and the experiments pass them with Strata.Experts.Solver's planners, whose <c>gimbal-minlp</c> solves small layers exactly.</param>
public sealed record SimulationOptions(int Seed, string WorkloadName, double? Rate = null, double Burstiness = 1.0, ServiceLevelObjectives? Slo = null,
    PolicyCatalogs? Catalogs = null);
