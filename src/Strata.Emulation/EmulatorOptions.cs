using Strata.Serving.Tokenization;
using Strata.Engine.Cluster;

namespace Strata.Emulation;

/// <summary>What <c>strata emulate</c> runs: the cluster whose DP engines are emulated, where they listen, and the failures to inject.</summary>
public sealed record EmulatorOptions
{
    public required ClusterConfig Cluster { get; init; }

    /// <summary>Engine servers to start; engine i listens on <see cref="Port"/> + i.</summary>
    public int Engines { get; init; } = 1;

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port of engine 0; 0 lets the OS pick a free port for every engine (tests).</summary>
    public int Port { get; init; } = 8000;

    /// <summary>Served model name (vLLM's <c>--served-model-name</c>); defaults to the cluster's model.</summary>
    public string? ServedModelName { get; init; }

    /// <summary>
    /// Modelled seconds per wall-clock second: 1 is real time, 10 runs the model ten times faster
    /// (every latency a client sees shrinks tenfold; /metrics reports modelled seconds).
    /// </summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>Output tokens of a request that leaves the limit to the engine — a chat request with neither field, or a null one (EOS is always ignored); a completions request without <c>max_tokens</c> gets vLLM's 16.</summary>
    public int DefaultMaxTokens { get; init; } = 256;

    /// <summary>Seeds the MoE routing samples of the step model and the error injection.</summary>
    public int Seed { get; init; }

    public FailureInjection Failures { get; init; } = FailureInjection.None;

    /// <summary>The model's tokenizer (<c>--tokenizer tokenizer.json</c>): prompts count and cache as its token ids; without it, UTF-8 bytes ÷ 4.</summary>
    public ModelTokenizer? Tokenizer { get; init; }

    public string ModelName => ServedModelName ?? Cluster.Model.Name;
}
