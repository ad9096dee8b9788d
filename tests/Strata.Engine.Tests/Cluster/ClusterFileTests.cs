using Strata.Engine.Cluster;
using Strata.Engine.Hardware;

namespace Strata.Engine.Tests.Cluster;

public class ClusterFileTests
{
    private static string Yaml(string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "cluster.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_gateway_stage_reads_the_gateway_configs_keys()
    {
        var c = ClusterFile.Load(Yaml("base: gimbal-a100\ngateway: {max_in_flight: 6, queue: {name: sjf-aging, max_length: 50, theta_age_s: 2}}\n"));

        Assert.Equal(6, c.Gateway!.MaxInFlight);
        Assert.Equal(50, c.Gateway.MaxQueueLength);
        Assert.Equal("sjf-aging", c.Gateway.Queue.Name);
        Assert.Equal(2.0, c.Gateway.Queue.GetDouble("theta_age_s", 0, 0));
        Assert.Null(ClusterFile.Load("gimbal-a100").Gateway);
    }

    [Fact]
    public void Reads_every_knob_of_the_design_example()
    {
        var c = ClusterFile.Load(Yaml("""
            gpu: rtxpro6000
            model: qwen3-30b-a3b
            parallel: {data: 2, tensor: 1, expert: true}
            engine: {max_num_seqs: 128, max_num_batched_tokens: 4096, block_size: 32,
                     gpu_memory_utilization: 0.85, enable_prefix_caching: false}
            step_model: {kind: profile, dir: /profiles/x}
            queue: {name: fcfs}
            dispatch: {name: vllm-dp}
            experts: {planner: contiguous}
            stats_interval_s: 0.05
            """));
        Assert.Equal("rtxpro6000", c.Gpu.Name);
        Assert.Equal(2, c.DataParallel);
        Assert.Equal(128, c.Engine.MaxNumSeqs);
        Assert.Equal(4096, c.Engine.MaxNumBatchedTokens);
        Assert.Equal(32, c.Engine.BlockSize);
        Assert.Equal(0.85, c.Engine.GpuMemoryUtilization);
        Assert.False(c.Engine.EnablePrefixCaching);
        Assert.Equal(new StepModelChoice("profile", "/profiles/x"), c.StepModel);
        Assert.Equal(0.05, c.StatsIntervalSeconds);
    }

    [Fact]
    public void Policy_parameters_pass_through_to_the_policy()
    {
        var c = ClusterFile.Load(Yaml("base: gimbal-a100\ndispatch: {name: round-robin, theta_kv: 0.8}\n"));
        Assert.Equal(["theta_kv"], c.Dispatch.Keys);
        Assert.Equal(0.8, c.Dispatch.GetDouble("theta_kv", 0.9));
    }

    [Fact]
    public void A_base_preset_is_overridden_field_by_field()
    {
        var c = ClusterFile.Load(Yaml("base: gimbal-h100\nengine: {max_num_seqs: 64}\n"));
        Assert.Equal("h100", c.Gpu.Name);
        Assert.Equal(2, c.TensorParallel);
        Assert.Equal(64, c.Engine.MaxNumSeqs);
        Assert.Equal(8192, c.Engine.MaxNumBatchedTokens);
    }

    [Fact]
    public void Expert_parallel_cost_is_read_in_microseconds_and_a_fraction()
    {
        var c = ClusterFile.Load(Yaml("base: gimbal-h100\nep_cost: {all_to_all_latency_us: 150, expert_compute_efficiency: 0.5}\n"));
        Assert.Equal(150e-6, c.EpCost.AllToAllLatencySeconds, 12);
        Assert.Equal(0.5, c.EpCost.ExpertComputeEfficiency);
        Assert.Equal(200e-6, ClusterFile.Load("gimbal-a100-fitted").EpCost.AllToAllLatencySeconds, 12);
    }

    [Fact]
    public void Experts_start_warm_unless_the_file_says_cold()
    {
        Assert.True(ClusterFile.Load("gimbal-a100").Experts.WarmStart);
        var cold = ClusterFile.Load(Yaml("base: gimbal-a100\nexperts: {planner: class-balanced, warm_start: false}\n"));
        Assert.False(cold.Experts.WarmStart);
        Assert.Equal("class-balanced", cold.Experts.Planner.Name);
        Assert.Empty(cold.Experts.Planner.Keys);
    }

    [Theory]
    [InlineData("experts: {warm_start: maybe}\n", "experts.warm_start")]
    [InlineData("ep_cost: {expert_compute_efficiency: 0}\n", "ep_cost.expert_compute_efficiency")]
    [InlineData("ep_cost: {latency_us: 5}\n", "ep_cost.latency_us: unknown setting")]
    [InlineData("ep_cost: {backend: nccl}\n", "ep_cost.backend: unknown EP backend 'nccl'")]
    [InlineData("engine: {max_num_seq: 4}\n", "engine.max_num_seq: unknown setting")]
    [InlineData("engine: {max_num_seqs: many}\n", "engine.max_num_seqs: 'many' is not a whole number")]
    [InlineData("gpu: v100\n", "unknown GPU 'v100'")]
    [InlineData("model: llama-70b\n", "unknown model 'llama-70b'")]
    [InlineData("parallel: {data: 3, expert: true}\n", "do not divide over 3 EP ranks")]
    [InlineData("step_model: {kind: profile}\n", "step_model.dir")]
    [InlineData("gpu: {bf16_tflops: 100}\n", "gpu.hbm_tbps: missing")]
    [InlineData("gateway: {queue: {name: fcfs}}\n", "gateway.max_in_flight: missing")]
    [InlineData("gateway: {max_in_flight: 4, queue: {name: fcfs, ttl_s: 60}}\n", "gateway.queue.ttl_s: the simulator does not expire queued requests")]
    [InlineData("gateway: {max_in_flight: 4, panic: true}\n", "gateway.panic: unknown setting")]
    public void Errors_name_the_field(string yaml, string message)
    {
        var e = Assert.Throws<ClusterConfigException>(() => ClusterFile.Load(Yaml("base: gimbal-a100\n" + yaml)));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("model: qwen3-30b-a3b\n", "gpu: missing; a cluster file without base: names its GPU")]
    [InlineData("gpu: a100-80gb\n", "model: missing; a cluster file without base: names its model")]
    public void A_file_without_base_names_its_gpu_and_model(string yaml, string message)
    {
        var e = Assert.Throws<ClusterConfigException>(() => ClusterFile.Load(Yaml(yaml)));
        Assert.Contains(message, e.Message);
    }

    /// <summary>Issue #12: a file without base: used to inherit gimbal-a100's fitted 200 µs all-to-all and 0.12 expert efficiency.</summary>
    [Fact]
    public void A_file_without_base_carries_no_fitted_constant()
    {
        var c = ClusterFile.Load(Yaml("gpu: a100-80gb\nmodel: qwen3-30b-a3b\nparallel: {data: 2, expert: true}\n"));
        Assert.Equal(new EpCostKnobs(), c.EpCost);
        Assert.Equal(1.0, c.EpCost.ExpertComputeEfficiency);
        Assert.NotEqual(ClusterPresets.GimbalA100Fitted.EpCost, c.EpCost);
        Assert.Equal(new EngineKnobs(), c.Engine);
    }

    /// <summary>Issue #12: only a preset named fitted carries a fitted constant; the papers' testbeds are priced by mechanism.</summary>
    [Fact]
    public void Only_the_presets_named_fitted_carry_a_fitted_constant()
    {
        var mechanisms = new EpCostKnobs();
        foreach (var (name, preset) in ClusterPresets.All)
        {
            var fitted = preset.EpCost.ExpertComputeEfficiency != mechanisms.ExpertComputeEfficiency
                || preset.EpCost.AllToAllLatencySeconds != mechanisms.AllToAllLatencySeconds;
            Assert.True(fitted == name.EndsWith("-fitted", StringComparison.Ordinal), $"{name}: fitted constants {fitted}");
        }
        Assert.Equal(41.65e-6, mechanisms.AllToAllLatencySeconds, 12); // pplx-kernels' published NVLink dispatch / combine
    }

    [Fact]
    public void The_measured_kernel_preset_carries_no_fitted_constant_and_finds_its_profile()
    {
        var c = ClusterFile.Load("rtxpro6000-dp2ep2");
        Assert.Equal(new EpCostKnobs(), c.EpCost);
        Assert.Equal(GpuPresets.RtxPro6000.Link, c.Gpu.Link);
        Assert.IsType<Strata.Engine.Cost.ProfileStepCost>(Strata.Engine.Cost.StepCostModels.Create(c));
    }

    [Fact]
    public void A_link_and_an_ep_backend_override_the_presets()
    {
        var c = ClusterFile.Load(Yaml("base: gimbal-a100\nep_cost: {backend: allgather_reducescatter}\nlink: {name: pcie4, gbps: 20, latency_us: 24}\n"));
        Assert.Equal(new LinkSpec("pcie4", 20e9, 24e-6), c.Gpu.Link);
        Assert.Equal(EpCostKnobs.AllGatherReduceScatter, c.EpCost.Backend);
        Assert.Equal(EpCostKnobs.AllToAll, ClusterPresets.GimbalA100.EpCost.Backend);
        Assert.Equal(120e-6, c.Gpu.LayerOverheadSeconds); // the rest of the GPU stays the preset's
    }

    [Fact]
    public void A_link_may_split_its_latency_into_ring_steps()
    {
        var c = ClusterFile.Load(Yaml("gpu: rtxpro6000\nmodel: qwen3-30b-a3b\nlink: {gbps: 20, latency_us: 24, step_latency_us: 3}\n"));
        Assert.Equal(new LinkSpec("custom", 20e9, 24e-6) { StepLatencySeconds = 3e-6 }, c.Gpu.Link);
        Assert.Throws<ClusterConfigException>(() => ClusterFile.Load(Yaml("gpu: rtxpro6000\nmodel: qwen3-30b-a3b\nlink: {gbps: 20, latency_us: 24, step_latency_us: 13}\n")));
    }

    [Fact]
    public void Engine_takes_a_recorded_runs_model_length_and_block_count()
    {
        var c = ClusterFile.Load(Yaml("gpu: rtx4090\nmodel: llama-3.1-8b\nengine: {max_model_len: 32768, num_gpu_blocks_override: 2588}\n"));
        Assert.Equal(32768, c.Engine.MaxModelLen);
        Assert.Equal(2588, KvCapacity.BlocksPerEngine(c));
        Assert.False(c.Model.IsMoe);
        Assert.Equal(1, c.ExpertParallelSize);
    }

    [Fact]
    public void Async_scheduling_reaches_the_engines_settings()
    {
        var on = ClusterFile.Load(Yaml("base: rtxpro6000-dp2ep2\nengine: {async_scheduling: true}\n"));
        var off = ClusterFile.Load(Yaml("base: rtxpro6000-dp2ep2\nengine: {async_scheduling: false}\n"));

        Assert.True(ClusterMoe.Settings(on, new Strata.Core.Queueing.FirstComeFirstServed()).AsyncScheduling);
        Assert.False(ClusterMoe.Settings(off, new Strata.Core.Queueing.FirstComeFirstServed()).AsyncScheduling);
    }
}
