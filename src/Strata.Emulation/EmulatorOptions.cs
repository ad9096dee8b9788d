using Strata.Core.Policies;
using Strata.Serving.Tokenization;
using Strata.Engine.Cluster;

namespace Strata.Emulation;

/// <summary>What <c>strata emulate</c> runs: the cluster whose DP engines are emulated, where they listen, and the failures to inject.</summary>
public sealed record EmulatorOptions
{
    public required ClusterConfig Cluster { get; init; }

    /// <summary>Engine servers to start; server i listens on <see cref="Port"/> + i.</summary>
    public int Engines { get; init; } = 1;

    /// <summary>
    /// DP ranks (engine cores) behind each server, as <c>vllm serve --data-parallel-size N</c> runs them behind one
    /// port. 1 (the default): each server is one DP engine of <see cref="Cluster"/>'s own layout. More: each server
    /// is a cluster of this many DP engines, with expert parallelism only if <see cref="EnableExpertParallel"/>.
    /// </summary>
    public int DataParallelSize { get; init; } = 1;

    /// <summary>vLLM's <c>--enable-expert-parallel</c>: a server's ranks form one EP group and step in lockstep; needs a MoE model and <see cref="DataParallelSize"/> &gt; 1.</summary>
    public bool EnableExpertParallel { get; init; }

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

    /// <summary>vLLM's <c>--kv-events-config</c>: each rank publishes its KV-cache events over ZMQ; null: none.</summary>
    public KvEventsConfig? KvEvents { get; init; }

    /// <summary>The policies the cluster's names (queue, expert planner) are built from; the CLI passes the exact planners.</summary>
    public PolicyCatalogs Catalogs { get; init; } = PolicyCatalogs.Standard;

    /// <summary>The model's tokenizer (<c>--tokenizer tokenizer.json</c>): prompts count and cache as its token ids; without it, UTF-8 bytes ÷ 4.</summary>
    public ModelTokenizer? Tokenizer { get; init; }

    public string ModelName => ServedModelName ?? Cluster.Model.Name;

    /// <summary>Whether the servers run their own DP layout (<see cref="DataParallelSize"/>, <see cref="EnableExpertParallel"/>) rather than the cluster file's.</summary>
    public bool OwnLayout => DataParallelSize > 1 || EnableExpertParallel;

    /// <summary>DP ranks behind each server.</summary>
    public int Ranks => OwnLayout ? DataParallelSize : 1;

    /// <summary>
    /// The cluster each server assembles: <see cref="DataParallelSize"/> DP engines with or without expert
    /// parallelism, or, by default, the cluster file's lockstep group (all its DP engines with expert parallelism,
    /// else one) of which the server serves one.
    /// </summary>
    public ClusterConfig ServerCluster => OwnLayout
        ? Cluster with { DataParallel = DataParallelSize, ExpertParallel = EnableExpertParallel }
        : Cluster with { DataParallel = ClusterMoe.EnginesPerGroup(Cluster) };

    /// <summary>Why the DP layout cannot run, naming the flags; null when it can.</summary>
    public string? LayoutError =>
        DataParallelSize < 1 ? $"--data-parallel-size {DataParallelSize}: a server runs at least one DP rank."
        : EnableExpertParallel && !Cluster.Model.IsMoe ? $"--enable-expert-parallel: {Cluster.Model.Name} is a dense model; expert parallelism needs a MoE model (drop the flag)."
        : EnableExpertParallel && DataParallelSize < 2 ? "--enable-expert-parallel needs --data-parallel-size 2 or more: the EP group is the server's DP ranks."
        : null;
}
