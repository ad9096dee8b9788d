namespace Strata.Simulation.Validation;

/// <summary>
/// A real vLLM run to replay: what its requests were and when they came, what they measured,
/// the engine arguments it ran with, and (when known) another simulator's error on it.
/// </summary>
/// <param name="Source">The folder or file it was read from.</param>
/// <param name="Engine">The engine arguments; null when the source does not hold them (a <c>vllm bench serve</c> result).</param>
/// <param name="Requests">Every request, in arrival order, arrival in seconds from the first.</param>
/// <param name="Queues">Running and waiting requests over time, when recorded.</param>
/// <param name="ReferenceErrors">LLMServingSim's error on the run by metric key (e.g. <c>mean_ttft_ms</c>), when recorded.</param>
/// <param name="PromptSource">Where the prompts' token ids came from, or why the replay has none (then every prompt is unique).</param>
/// <param name="FromIntake">
/// True when the latencies count from the engine core's intake (vLLM's <c>queued_ts</c>), false when from the
/// arrival (a <c>vllm bench serve</c> result measures at the client).
/// </param>
public sealed record RecordedRun(
    string Source,
    RecordedEngine? Engine,
    IReadOnlyList<RecordedRequest> Requests,
    IReadOnlyList<QueueSample> Queues,
    IReadOnlyDictionary<string, double> ReferenceErrors,
    string PromptSource,
    bool FromIntake);

/// <summary>
/// One request as the server saw it: arrival (s from the run's first), tokens, its measured latencies in seconds, and
/// the prompt's token ids when the run's dataset is at hand. The latencies count from where <see cref="RecordedRun.FromIntake"/>
/// says: in a recorded run's folder from when vLLM's engine core took the request in (<c>queued_ts</c>, as vLLM's stats
/// count them; <paramref name="Queue"/> lasts until it was first scheduled), which is later than the arrival by the
/// wait for the step under way; in a <c>vllm bench serve</c> result from the send.
/// </summary>
public readonly record struct RecordedRequest(double Arrival, int PromptTokens, int OutputTokens, double Ttft, double E2el, double? Queue = null, int[]? PromptTokenIds = null)
{
    /// <summary><c>vllm bench serve</c>'s TPOT: decode time per token after the first; null for one-token outputs.</summary>
    public double? Tpot => OutputTokens > 1 ? (E2el - Ttft) / (OutputTokens - 1) : null;
}

/// <summary>Requests running and waiting at a time (s from the run's first arrival).</summary>
public readonly record struct QueueSample(double Time, int Running, int Waiting);

/// <summary>The vLLM engine arguments of a recorded run that shape its scheduling (vLLM's names).</summary>
public sealed record RecordedEngine
{
    /// <summary>Hugging Face id, e.g. <c>meta-llama/Llama-3.1-8B</c>.</summary>
    public required string Model { get; init; }
    public int TensorParallel { get; init; } = 1;
    public int DataParallel { get; init; } = 1;
    public bool ExpertParallel { get; init; }
    public required int MaxNumSeqs { get; init; }
    public required int MaxNumBatchedTokens { get; init; }
    public int? MaxModelLen { get; init; }
    public int BlockSize { get; init; } = 16;
    public int? NumGpuBlocks { get; init; }
    public bool EnablePrefixCaching { get; init; } = true;

    /// <summary>vLLM's <c>async_scheduling</c> as the run resolved it; null when not recorded (then the cluster's, on by default as in vLLM 0.19).</summary>
    public bool? AsyncScheduling { get; init; }
    public double GpuMemoryUtilization { get; init; } = 0.9;

    /// <summary>The GPU's name as CUDA reports it, e.g. "NVIDIA GeForce RTX 4090"; null when not recorded.</summary>
    public string? DeviceName { get; init; }
}
