using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Signals;

namespace Strata.Serving.Tests.Gateway;

public sealed class PrometheusTextTests
{
    // Shaped like vLLM 0.10 with two DP engines behind one server (<c>vllm/v1/metrics/loggers.py</c>: every series carries <c>engine</c>).
    private const string Vllm = """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-30B-A3B"} 3.0
        vllm:num_requests_running{engine="1",model_name="Qwen/Qwen3-30B-A3B"} 5.0
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-30B-A3B"} 2.0
        vllm:num_requests_waiting{engine="1",model_name="Qwen/Qwen3-30B-A3B"} 0.0
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-30B-A3B"} 0.5
        vllm:kv_cache_usage_perc{engine="1",model_name="Qwen/Qwen3-30B-A3B"} 0.25
        # TYPE vllm:cache_config_info gauge
        vllm:cache_config_info{block_size="16",cache_dtype="auto",engine="0",num_gpu_blocks="2000"} 1.0
        vllm:cache_config_info{block_size="16",cache_dtype="auto",engine="1",num_gpu_blocks="3000"} 1.0
        # TYPE vllm:time_to_first_token_seconds histogram
        vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="Qwen/Qwen3-30B-A3B"} 0.0
        vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen3-30B-A3B"} 12.0
        vllm:request_success_total{engine="0",finished_reason="stop",model_name="Qwen/Qwen3-30B-A3B"} 12.0
        """;

    [Fact]
    public void Parses_names_labels_and_values()
    {
        var samples = PrometheusText.Parse(Vllm);
        Assert.Equal(11, samples.Count);
        var bucket = samples.Single(s => s.Name == "vllm:time_to_first_token_seconds_bucket" && s.Label("le") == "+Inf");
        Assert.Equal(12.0, bucket.Value);
        Assert.Equal("Qwen/Qwen3-30B-A3B", bucket.Label("model_name"));
    }

    [Fact]
    public void vLLM_signals_sum_counts_average_kv_and_sum_capacity_over_dp_engines()
    {
        var signals = EngineSignals.From(PrometheusText.Parse(Vllm), EngineType.Vllm, timestamp: 7);
        Assert.Equal(new EngineSignals(Waiting: 2, Running: 8, KvUsage: 0.375, KvCapacityTokens: 5000 * 16, Timestamp: 7), signals);
    }

    [Fact]
    public void Older_vLLM_gpu_cache_usage_perc_is_read_when_kv_cache_usage_perc_is_absent()
    {
        const string old = """
            vllm:num_requests_running{model_name="m"} 1.0
            vllm:num_requests_waiting{model_name="m"} 4.0
            vllm:gpu_cache_usage_perc{model_name="m"} 0.9
            """;
        var signals = EngineSignals.From(PrometheusText.Parse(old), EngineType.Vllm, 0);
        Assert.Equal((4, 1, 0.9, 0L), (signals.Waiting, signals.Running, signals.KvUsage, signals.KvCapacityTokens));
    }

    [Fact]
    public void SGLang_names_are_read_for_sglang_engines()
    {
        const string sglang = """
            # HELP sglang:num_running_reqs The number of running requests.
            # TYPE sglang:num_running_reqs gauge
            sglang:num_running_reqs{model_name="qwen"} 6.0
            sglang:num_queue_reqs{model_name="qwen"} 9.0
            sglang:token_usage{model_name="qwen"} 0.42
            sglang:gen_throughput{model_name="qwen"} 1234.5
            """;
        var signals = EngineSignals.From(PrometheusText.Parse(sglang), EngineType.Sglang, 0);
        Assert.Equal((9, 6, 0.42), (signals.Waiting, signals.Running, signals.KvUsage));
    }

    [Fact]
    public void Handles_escapes_special_values_timestamps_and_spacing()
    {
        var samples = PrometheusText.Parse("""
            a{path="C:\\dir",quote="say \"hi\"",nl="x\ny"} NaN
            b +Inf 1700000000000
            c{ x = "1" , } -Inf
            d 1.5e-3
            """);
        Assert.Equal(@"C:\dir", samples[0].Label("path"));
        Assert.Equal("say \"hi\"", samples[0].Label("quote"));
        Assert.Equal("x\ny", samples[0].Label("nl"));
        Assert.True(double.IsNaN(samples[0].Value));
        Assert.Equal(double.PositiveInfinity, samples[1].Value);
        Assert.Equal("1", samples[2].Label("x"));
        Assert.Equal(double.NegativeInfinity, samples[2].Value);
        Assert.Equal(0.0015, samples[3].Value);
    }

    [Theory]
    [InlineData("{a=\"1\"} 1", "line 1: expected a metric name")]
    [InlineData("ok 1\nm{a=\"1 1", "line 2: unterminated value")]
    [InlineData("m{a=1} 1", "line 1: expected label")]
    [InlineData("m one", "line 1: 'one' is not a sample value")]
    public void Malformed_lines_fail_naming_the_line(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
        Assert.Contains(message, error.Message);
    }
}
