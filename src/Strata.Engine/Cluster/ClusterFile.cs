using Strata.Core.Configuration;
using Strata.Core.Policies;
using Strata.Engine.Hardware;

namespace Strata.Engine.Cluster;

/// <summary>
/// Reads a cluster by preset name or from a YAML file (keys in docs/architecture.md "File formats").
/// A file may start from a preset with <c>base: gimbal-a100</c> and override any knob; without
/// <c>base:</c> it names its GPU and model and starts from vLLM's defaults, so no preset's fitted
/// constant reaches it. Everything is validated here, before a simulation starts.
/// </summary>
public static class ClusterFile
{
    public static ClusterConfig Load(string presetOrPath)
    {
        if (ClusterPresets.All.TryGetValue(presetOrPath, out var preset)) return preset;
        if (!File.Exists(presetOrPath))
            throw new ClusterConfigException($"--cluster: no preset or file named '{presetOrPath}'; use one of {string.Join(", ", ClusterPresets.All.Keys)} or a path to a YAML file.");
        var yaml = YamlMap.Parse(File.ReadAllText(presetOrPath), presetOrPath, message => new ClusterConfigException(message),
            "README, 'Cluster file'", "cluster settings (gpu, model, parallel, engine, ...)");
        var directory = Path.GetDirectoryName(Path.GetFullPath(presetOrPath))!;
        var name = yaml.String("name") ?? Path.GetFileNameWithoutExtension(presetOrPath);
        ClusterConfig config;
        if (yaml.String("base") is { } baseName)
        {
            config = ClusterPresets.All.GetValueOrDefault(baseName) ?? throw new ClusterConfigException($"{yaml.Where("base")}: unknown preset '{baseName}'; use one of {string.Join(", ", ClusterPresets.All.Keys)}.");
            config = config with { Name = name };
            if (yaml.Node("gpu") is not null) config = config with { Gpu = ReadGpu(yaml) };
            if (yaml.String("model") is { } model) config = config with { Model = ReadModel(model, directory, yaml.Where("model")) };
        }
        else
        {
            if (yaml.Node("gpu") is null)
                throw new ClusterConfigException($"{yaml.Where("gpu")}: missing; a cluster file without base: names its GPU ({string.Join(", ", GpuPresets.All.Keys)} or a spec), or starts from a preset with base: {string.Join(" | ", ClusterPresets.All.Keys)}.");
            var model = yaml.String("model")
                ?? throw new ClusterConfigException($"{yaml.Where("model")}: missing; a cluster file without base: names its model ({string.Join(", ", ModelPresets.All.Keys)} or a path to an HF config.json), or starts from a preset with base:.");
            config = new ClusterConfig { Name = name, Gpu = ReadGpu(yaml), Model = ReadModel(model, directory, yaml.Where("model")) };
        }
        if (yaml.Map("link") is { } link)
        {
            double Link(string key) => link.Double(key, 0) ?? throw new ClusterConfigException($"{link.Where(key)}: missing; a link needs gbps (one direction, as collectives achieve it) and latency_us (the fixed time of a two-GPU all-reduce).");
            var latency = Link("latency_us") * 1e-6;
            // Optional: the part of latency_us (a two-GPU all-reduce, two ring steps) one ring step costs; all-gathers and reduce-scatters have one step fewer per GPU.
            var stepLatency = (link.Double("step_latency_us", 0) ?? 0) * 1e-6;
            if (stepLatency > latency / 2)
                throw new ClusterConfigException($"{link.Where("step_latency_us")}: {stepLatency * 1e6} µs is more than half of latency_us ({latency * 1e6} µs), the two-GPU all-reduce it is a step of.");
            config = config with { Gpu = config.Gpu with { Link = new LinkSpec(link.String("name") ?? "custom", Link("gbps") * 1e9, latency) { StepLatencySeconds = stepLatency } } };
            link.RejectUnknownKeys();
        }
        if (yaml.Map("parallel") is { } parallel)
        {
            config = config with
            {
                DataParallel = parallel.Int("data", 1) ?? config.DataParallel,
                TensorParallel = parallel.Int("tensor", 1) ?? config.TensorParallel,
                ExpertParallel = parallel.Bool("expert") ?? config.ExpertParallel,
                GpusPerNode = parallel.Int("gpus_per_node", 1) ?? config.GpusPerNode,
            };
            parallel.RejectUnknownKeys();
        }
        if (yaml.Map("engine") is { } engine)
        {
            var e = config.Engine;
            config = config with
            {
                Engine = e with
                {
                    MaxNumSeqs = engine.Int("max_num_seqs", 1) ?? e.MaxNumSeqs,
                    MaxNumBatchedTokens = engine.Int("max_num_batched_tokens", 1) ?? e.MaxNumBatchedTokens,
                    BlockSize = engine.Int("block_size", 1) ?? e.BlockSize,
                    GpuMemoryUtilization = engine.Double("gpu_memory_utilization", 0.01, 1) ?? e.GpuMemoryUtilization,
                    EnablePrefixCaching = engine.Bool("enable_prefix_caching") ?? e.EnablePrefixCaching,
                    ActivationReserveGib = engine.Double("activation_reserve_gib", 0) ?? e.ActivationReserveGib,
                    MaxModelLen = engine.Int("max_model_len", 1) ?? e.MaxModelLen,
                    SchedulerReserveFullIsl = engine.Bool("scheduler_reserve_full_isl") ?? e.SchedulerReserveFullIsl,
                    AsyncScheduling = engine.Bool("async_scheduling") ?? e.AsyncScheduling,
                    NumGpuBlocksOverride = engine.Int("num_gpu_blocks_override", 1) ?? e.NumGpuBlocksOverride,
                },
            };
            engine.RejectUnknownKeys();
        }
        if (yaml.Map("step_model") is { } step)
        {
            var kind = step.String("kind") ?? "roofline";
            var dir = step.String("dir");
            if (kind is not ("roofline" or "profile"))
                throw new ClusterConfigException($"{step.Where("kind")}: unknown step model '{kind}'; use roofline or profile.");
            if (kind == "profile" && dir is null)
                throw new ClusterConfigException($"{step.Where("dir")}: a profile step model needs the directory of its CSV tables.");
            config = config with { StepModel = new StepModelChoice(kind, dir is null ? null : Path.GetFullPath(dir, directory)) };
            step.RejectUnknownKeys();
        }
        if (yaml.Map("queue") is { } queue) config = config with { Queue = Policy(queue, "name", "queue") };
        if (yaml.Map("dispatch") is { } dispatch) config = config with { Dispatch = Policy(dispatch, "name", "dispatch") };
        if (yaml.Map("gateway") is { } gateway) config = config with { Gateway = ReadGateway(gateway) };
        if (yaml.Map("experts") is { } experts)
        {
            var knobs = config.Experts;
            config = config with
            {
                Experts = knobs with
                {
                    StepInterval = experts.Int("step_interval", 0) ?? knobs.StepInterval,
                    WindowSize = experts.Int("window_size", 1) ?? knobs.WindowSize,
                    RedundantSlots = experts.Int("redundant_slots", 0) ?? knobs.RedundantSlots,
                    WarmStart = experts.Bool("warm_start") ?? knobs.WarmStart,
                    Planner = Policy(experts, "planner", "experts", "step_interval", "window_size", "redundant_slots", "warm_start"),
                },
            };
        }
        if (yaml.Map("routing") is { } routing)
        {
            config = config with
            {
                Routing = new RoutingKnobs
                {
                    Skew = routing.Double("skew", 0) ?? config.Routing.Skew,
                    DomainCorrelation = routing.Double("domain_correlation", 0, 1) ?? config.Routing.DomainCorrelation,
                    DriftIntervalSeconds = routing.Double("drift_interval_s", 0) ?? config.Routing.DriftIntervalSeconds,
                    DriftPersistence = routing.Double("drift_persistence", 0, 1) ?? config.Routing.DriftPersistence,
                    LayerAffinity = routing.Double("layer_affinity", 0, 1) ?? config.Routing.LayerAffinity,
                    Seed = routing.Int("seed") ?? config.Routing.Seed,
                },
            };
            routing.RejectUnknownKeys();
        }
        if (yaml.Map("ep_cost") is { } epCost)
        {
            config = config with
            {
                EpCost = new EpCostKnobs
                {
                    Backend = epCost.String("backend") is { } backend
                        ? backend is EpCostKnobs.AllGatherReduceScatter or EpCostKnobs.AllToAll ? backend
                            : throw new ClusterConfigException($"{epCost.Where("backend")}: unknown EP backend '{backend}'; use {EpCostKnobs.AllGatherReduceScatter} (vLLM's default) or {EpCostKnobs.AllToAll}.")
                        : config.EpCost.Backend,
                    AllToAllLatencySeconds = epCost.Double("all_to_all_latency_us", 0) / 1e6 ?? config.EpCost.AllToAllLatencySeconds,
                    ExpertComputeEfficiency = epCost.Double("expert_compute_efficiency", 0.01, 1) ?? config.EpCost.ExpertComputeEfficiency,
                },
            };
            epCost.RejectUnknownKeys();
        }
        config = config with { StatsIntervalSeconds = yaml.Double("stats_interval_s", 0.001) ?? config.StatsIntervalSeconds };
        yaml.RejectUnknownKeys();
        Validate(config, presetOrPath);
        return config;
    }

    /// <summary>Checks that hold for presets and files alike; the message names the knob.</summary>
    public static void Validate(ClusterConfig c, string source)
    {
        if (c.Model.RoutedExperts % c.ExpertParallelSize != 0)
            throw new ClusterConfigException($"{source}: parallel: {c.Model.RoutedExperts} experts of {c.Model.Name} do not divide over {c.ExpertParallelSize} EP ranks (data × tensor); pick sizes that divide the expert count.");
        if (c.Engine.MaxNumBatchedTokens < c.Engine.MaxNumSeqs && c.Engine.MaxNumBatchedTokens < c.Engine.BlockSize)
            throw new ClusterConfigException($"{source}: engine.max_num_batched_tokens {c.Engine.MaxNumBatchedTokens} is below one block; raise it.");
        if (c.ExpertParallel && c.Experts.RedundantSlots % c.ExpertParallelSize != 0)
            throw new ClusterConfigException($"{source}: experts.redundant_slots {c.Experts.RedundantSlots} must be a multiple of the {c.ExpertParallelSize} EP ranks so every rank has as many slots.");
        _ = KvCapacity.BlocksPerEngine(c);
    }

    /// <summary><c>gateway: {max_in_flight, queue: {name, max_length, ...policy parameters}}</c>, as the gateway config spells them.</summary>
    private static GatewayStage ReadGateway(YamlMap gateway)
    {
        var maxInFlight = gateway.Int("max_in_flight", 1)
            ?? throw new ClusterConfigException($"{gateway.Where("max_in_flight")}: missing; say how many requests the gateway runs on each engine before queueing (strata serve's max_in_flight, e.g. 8).");
        var queueMap = gateway.Map("queue");
        if (queueMap?.Has("ttl_s") == true)
            throw new ClusterConfigException($"{queueMap.Where("ttl_s")}: the simulator does not expire queued requests; remove ttl_s (every queued request waits until dispatched).");
        var queue = queueMap is null ? new PolicyOptions("fcfs", section: "gateway.queue") : Policy(queueMap, "name", "gateway.queue", "max_length");
        var stage = new GatewayStage(maxInFlight, queue, queueMap?.Int("max_length", 0) ?? GatewayStage.DefaultMaxQueueLength);
        gateway.RejectUnknownKeys();
        return stage;
    }

    private static PolicyOptions Policy(YamlMap map, string nameKey, string section, params string[] notPolicyKeys)
    {
        var parameters = map.Scalars([nameKey, .. notPolicyKeys]);
        var name = map.String(nameKey) ?? throw new ClusterConfigException($"{map.Where(nameKey)}: missing; say which {section} policy to use.");
        return new PolicyOptions(name, parameters, section);
    }

    private static GpuSpec ReadGpu(YamlMap yaml)
    {
        if (yaml.Node("gpu") is YamlDotNet.RepresentationModel.YamlScalarNode)
        {
            var name = yaml.String("gpu")!;
            return GpuPresets.All.GetValueOrDefault(name)
                ?? throw new ClusterConfigException($"{yaml.Where("gpu")}: unknown GPU '{name}'; use one of {string.Join(", ", GpuPresets.All.Keys)} or a spec {{bf16_tflops, hbm_tbps, memory_gb, link_gbps}}.");
        }
        var spec = yaml.Map("gpu")!;
        double Required(string key, double min) => spec.Double(key, min) ?? throw new ClusterConfigException($"{spec.Where(key)}: missing; a custom GPU needs bf16_tflops, hbm_tbps, memory_gb and link_gbps.");
        var gpu = new GpuSpec(spec.String("name") ?? "custom", Required("bf16_tflops", 1e-3), Required("hbm_tbps", 1e-3), Required("memory_gb", 1e-3),
            Required("link_gbps", 1e-3), spec.Double("inter_node_gbps", 1e-3) ?? 50);
        gpu = gpu with
        {
            ComputeEfficiency = spec.Double("compute_efficiency", 0.01, 1) ?? gpu.ComputeEfficiency,
            MemoryEfficiency = spec.Double("memory_efficiency", 0.01, 1) ?? gpu.MemoryEfficiency,
        };
        spec.RejectUnknownKeys();
        return gpu;
    }

    private static ModelSpec ReadModel(string model, string directory, string where)
    {
        if (ModelPresets.All.TryGetValue(model, out var preset)) return preset;
        var path = Path.GetFullPath(model, directory);
        if (!File.Exists(path))
            throw new ClusterConfigException($"{where}: unknown model '{model}'; use one of {string.Join(", ", ModelPresets.All.Keys)} or a path to an HF config.json.");
        return HfConfigReader.Read(path);
    }
}
