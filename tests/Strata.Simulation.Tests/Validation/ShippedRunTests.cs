using Strata.Core.Data;
using Strata.Simulation.Validation;

namespace Strata.Simulation.Tests.Validation;

/// <summary>
/// `strata validate` on the four recorded vLLM 0.19 runs of data/validation (three dense, and the held-out MoE DP2 EP
/// run that nothing is calibrated on), each replayed on its own measured
/// profile with nothing fitted to it. The bounds are the errors the simulator reaches today (docs/validation.md),
/// so a change that loses fidelity fails here; where LLMServingSim's error on the same run is smaller, the
/// bound says so rather than claim its target.
/// </summary>
public class ShippedRunTests
{
    private static ValidationResult Replay(string run)
    {
        var recorded = RecordedRunReader.Read(DataFolder.Path("validation", run));
        return Strata.Simulation.Validation.Validation.Run(recorded, ReplayCluster.For(recorded, null));
    }

    [Theory]
    // run, |error| bounds on mean TTFT, TPOT, E2E latency
    [InlineData("rtxpro6000-llama-3.1-8b-tp1", 0.045, 0.013, 0.021)]
    [InlineData("rtx4090-llama-3.1-8b-tp1", 0.005, 0.0025, 0.004)]
    [InlineData("rtxpro6000-qwen3-32b-tp2", 0.065, 0.022, 0.039)]
    // The held-out MoE DP2 EP run: nothing was ever fitted to it (docs/validation.md); issue #12's target is TTFT
    // within 10%, TPOT and E2E within 3%, and the replay gives −3.6% / +1.4% / +1.2%.
    [InlineData("rtxpro6000-qwen3-30b-a3b-dp2ep2", 0.04, 0.016, 0.014)]
    public void Mean_latencies_stay_within_the_reached_error(string run, double ttft, double tpot, double e2el)
    {
        var result = Replay(run);
        Assert.InRange(Math.Abs(result["mean_ttft_ms"].Error), 0, ttft);
        Assert.InRange(Math.Abs(result["mean_tpot_ms"].Error), 0, tpot);
        Assert.InRange(Math.Abs(result["mean_e2el_ms"].Error), 0, e2el);
    }

    /// <summary>LLMServingSim's summary gives its error to 0.1%, so the comparison is at that precision.</summary>
    [Fact]
    public void On_the_rtx_4090_run_every_mean_is_within_llmservingsims_error()
    {
        var result = Replay("rtx4090-llama-3.1-8b-tp1");
        static double Tenths(double fraction) => Math.Round(Math.Abs(fraction) * 1000, MidpointRounding.AwayFromZero);
        foreach (var key in new[] { "mean_ttft_ms", "mean_tpot_ms", "mean_e2el_ms" })
            Assert.True(Tenths(result[key].Error) <= Tenths(result[key].ReferenceError!.Value), $"{key}: {result[key].Error:P2} vs {result[key].ReferenceError:P1}");
    }

    /// <summary>
    /// The held-out run barely queues, so its median TTFT is about two steps: the replay matches it only with async
    /// scheduling and with latencies counted from the engine's intake, as vLLM counts them (synchronous: −43%;
    /// counted from the arrival: +13%; both as vLLM does: −5.5%).
    /// </summary>
    [Fact]
    public void The_held_out_runs_median_ttft_counts_from_the_intake_of_an_async_engine()
    {
        var result = Replay("rtxpro6000-qwen3-30b-a3b-dp2ep2");
        Assert.InRange(result["median_ttft_ms"].Error, -0.08, 0.08);
    }

    [Fact]
    public void The_replay_shares_prompt_blocks_as_the_run_did()
    {
        var result = Replay("rtxpro6000-llama-3.1-8b-tp1");
        Assert.Contains("sharegpt-llama-3.1-8b-300-sps10.jsonl", result.Run.PromptSource);
        // 7.6% of its prompt tokens are in full blocks an earlier prompt holds; the KV cache is large enough to keep them all.
        Assert.Equal(0.0759, result.PrefixCacheHitRate, 3);
    }

    [Fact]
    public void The_replay_reads_the_runs_engine_arguments_and_profile()
    {
        var result = Replay("rtx4090-llama-3.1-8b-tp1");
        Assert.Equal(256, result.Cluster.Engine.MaxNumSeqs);
        Assert.Equal(32768, result.Cluster.Engine.MaxModelLen);
        Assert.Equal(2588, result.Cluster.Engine.NumGpuBlocksOverride);
        Assert.EndsWith("rtx4090-llama-3.1-8b", result.Cluster.StepModel.Directory);
        Assert.Equal(300, result.Run.Requests.Count);
        Assert.NotEmpty(result.SimulatedQueues);
        Assert.Equal(0.006, result.Run.ReferenceErrors["mean_ttft_ms"], 6);
        Assert.Equal(16, result.Metrics.Count); // 4 statistics × 3 latencies, mean queue and prefill, mean running and waiting
    }

    [Fact]
    public void The_same_run_replays_to_the_same_numbers()
    {
        Assert.Equal(Replay("rtxpro6000-qwen3-32b-tp2").Metrics, Replay("rtxpro6000-qwen3-32b-tp2").Metrics);
    }
}
