using Strata.Experiments.Grids;
using Strata.Simulation.Metrics;

namespace Strata.Experiments.Running;

/// <summary>A finished run: its summary, and its TTFTs (ms, ascending) for CDF charts.</summary>
public sealed record RunOutcome(ExperimentRun Run, SimulationSummary Summary, double[] SortedTtftMs);
