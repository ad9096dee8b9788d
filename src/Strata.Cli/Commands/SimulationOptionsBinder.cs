using Strata.Experts.Solver;
using System.CommandLine;
using Strata.Core.Policies;
using Strata.Simulation.Metrics;
using Strata.Simulation.Runs;

namespace Strata.Cli.Commands;

/// <summary>The options that pick a cluster, a workload and a policy stack, shared by the commands that simulate.</summary>
internal sealed class SimulationOptionsBinder
{
    public Option<string> Cluster { get; } = new("--cluster") { Description = "Cluster preset (rtxpro6000-dp2ep2, gimbal-a100, gimbal-h100, gimbal-a100-fitted, gimbal-h100-fitted) or YAML file.", DefaultValueFactory = _ => "gimbal-a100" };
    public Option<string> Workload { get; } = new("--workload") { Description = "Workload preset (random, central, descending, two-end, average, chat) or trace file.", DefaultValueFactory = _ => "random" };
    public Option<double?> Rate { get; } = new("--rate") { Description = "Requests per second (default 1.4 for presets; a trace keeps its own timing unless given)." };
    public Option<double> Burstiness { get; } = new("--burstiness") { Description = "Gamma shape of arrivals as vllm bench serve: 1 = Poisson, <1 burstier.", DefaultValueFactory = _ => 1.0 };
    public Option<int?> Requests { get; } = new("--requests") { Description = "Number of requests (default 1000 for presets; a trace is cut to it)." };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of every random draw; same seed, same bytes.", DefaultValueFactory = _ => 0 };
    public Option<string?> Queue { get; } = new("--queue") { Description = "Request-level queue policy, overriding the cluster's." };
    public Option<string?> Dispatch { get; } = new("--dispatch") { Description = "Engine-level dispatch policy, overriding the cluster's." };
    public Option<string?> Experts { get; } = new("--experts") { Description = "Expert planner (contiguous, eplb, balanced, class-balanced, gimbal-anchor, gimbal-minlp), overriding the cluster's." };
    public Option<int?> Gateway { get; } = new("--gateway") { Description = "Run behind strata serve's admission stage with this max_in_flight per engine: the queue policy orders the gateway's queue and the engines keep vLLM's FCFS." };
    public Option<string?> Slo { get; } = new("--slo") { Description = "Goodput SLOs in ms, e.g. ttft:2000,tpot:100." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Cluster, Workload, Rate, Burstiness, Requests, Seed, Queue, Dispatch, Experts, Gateway, Slo })
            command.Options.Add(option);
    }

    public RunSpec Bind(ParseResult parse)
    {
        var rate = parse.GetValue(Rate);
        if (rate is <= 0) throw new CliUsageException($"--rate {rate}: a request rate must be positive (requests per second).");
        var burstiness = parse.GetValue(Burstiness);
        if (burstiness <= 0) throw new CliUsageException($"--burstiness {burstiness}: must be positive (1 = Poisson).");
        var requests = parse.GetValue(Requests);
        if (requests is <= 0) throw new CliUsageException($"--requests {requests}: must be at least 1.");
        var gateway = parse.GetValue(Gateway);
        if (gateway is <= 0) throw new CliUsageException($"--gateway {gateway}: the gateway's max_in_flight per engine must be at least 1 (e.g. 8).");
        return new RunSpec
        {
            Cluster = parse.GetValue(Cluster)!,
            Workload = parse.GetValue(Workload)!,
            Rate = rate,
            Burstiness = burstiness,
            Requests = requests,
            Seed = parse.GetValue(Seed),
            Queue = parse.GetValue(Queue) is { } queue ? new PolicyOptions(queue, section: "--queue") : null,
            Dispatch = parse.GetValue(Dispatch) is { } dispatch ? new PolicyOptions(dispatch, section: "--dispatch") : null,
            Experts = parse.GetValue(Experts) is { } experts ? new PolicyOptions(experts, section: "--experts") : null,
            GatewayMaxInFlight = gateway,
            Slo = parse.GetValue(Slo) is { } slo ? ServiceLevelObjectives.Parse(slo) : ServiceLevelObjectives.None,
            Catalogs = ExactExpertPlanners.Catalogs,
        };
    }
}
