using Strata.Core.Experts;
using Strata.Core.Policies;
using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Simulation.Metrics;
using Strata.Simulation.Workloads;
using CorePolicies = Strata.Core.Policies.Policies;

namespace Strata.Simulation.Runs;

/// <summary>
/// Everything one simulation needs, by name: the form a command line, an experiment grid or a
/// report's "rerun" line gives. <see cref="Prepare"/> validates it all before any work starts.
/// </summary>
public sealed record RunSpec
{
    public string Cluster { get; init; } = ClusterPresets.GimbalA100.Name;
    public string Workload { get; init; } = "random";
    public double? Rate { get; init; }
    public double Burstiness { get; init; } = 1.0;
    public int? Requests { get; init; }
    public int Seed { get; init; }
    public PolicyOptions? Queue { get; init; }
    public PolicyOptions? Dispatch { get; init; }
    public PolicyOptions? Experts { get; init; }

    /// <summary>
    /// Runs the stack behind <c>strata serve</c>'s admission stage with this <c>max_in_flight</c> per engine: the queue
    /// policy moves to the gateway's queue, and the engines keep vLLM's default FCFS, as real ones behind the gateway do.
    /// </summary>
    public int? GatewayMaxInFlight { get; init; }

    /// <summary>The catalog <see cref="Experts"/> and the cluster's planner are built from (<see cref="SimulationOptions.Planners"/>).</summary>
    public PolicyCatalog<IExpertPlanner> Planners { get; init; } = ExpertPlanners.Catalog;
    public ServiceLevelObjectives Slo { get; init; } = ServiceLevelObjectives.None;

    /// <summary>Loads the cluster and workload and checks every name, so errors surface before the run.</summary>
    public PreparedRun Prepare()
    {
        var cluster = ClusterFile.Load(Cluster);
        // A name given on the command line replaces the file's policy, unless it names the same one (keep its parameters).
        if (Queue is not null && Queue.Name != cluster.Queue.Name) cluster = cluster with { Queue = Queue };
        if (Dispatch is not null && Dispatch.Name != cluster.Dispatch.Name) cluster = cluster with { Dispatch = Dispatch };
        if (Experts is not null && Experts.Name != cluster.Experts.Planner.Name) cluster = cluster with { Experts = cluster.Experts with { Planner = Experts } };
        if (GatewayMaxInFlight is { } maxInFlight)
            cluster = cluster with { Gateway = new GatewayStage(maxInFlight, cluster.Queue), Queue = new PolicyOptions("fcfs", section: "queue") };
        _ = Planners.Create(cluster.Experts.Planner);
        _ = CorePolicies.Queue.Create(cluster.Queue);
        _ = ClusterSimulator.CheckPolicies(cluster);
        var workload = WorkloadCatalog.Open(new WorkloadOptions(Workload, Rate, Burstiness, Requests, Seed));
        var cost = StepCostModels.Create(cluster);
        return new PreparedRun(this, cluster, workload, cost);
    }

    /// <summary>The <c>strata simulate</c> arguments that reproduce this run.</summary>
    public string CommandLine(ClusterConfig cluster)
    {
        var parts = new List<string> { "strata simulate", $"--cluster {Cluster}", $"--workload {Workload}" };
        if (Rate is { } rate) parts.Add($"--rate {rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        if (Burstiness != 1.0) parts.Add($"--burstiness {Burstiness.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        if (Requests is { } n) parts.Add($"--requests {n}");
        parts.Add($"--seed {Seed}");
        parts.Add($"--queue {(GatewayMaxInFlight is null ? cluster.Queue.Name : cluster.Gateway!.Queue.Name)}");
        parts.Add($"--dispatch {cluster.Dispatch.Name}");
        parts.Add($"--experts {cluster.Experts.Planner.Name}");
        if (GatewayMaxInFlight is { } maxInFlight) parts.Add($"--gateway {maxInFlight}");
        return string.Join(' ', parts);
    }
}

/// <summary>A validated run, ready to simulate.</summary>
public sealed record PreparedRun(RunSpec Spec, ClusterConfig Cluster, Workload Workload, IStepCostModel Cost)
{
    public SimulationResult Execute()
    {
        var simulator = new ClusterSimulator(Cluster, Cost, Workload.Requests,
            new SimulationOptions(Spec.Seed, Workload.Name, Spec.Rate ?? (IsGenerated ? WorkloadCatalog.DefaultRate : null), Spec.Burstiness, Spec.Slo, Spec.Planners));
        var summary = simulator.Run();
        return new SimulationResult(summary, simulator.Records);
    }

    private bool IsGenerated => WorkloadCatalog.Presets.Contains(Spec.Workload);
}

public sealed record SimulationResult(SimulationSummary Summary, IReadOnlyList<RequestRecord> Records);
