namespace Strata.Engine.Cost;

/// <summary>
/// The work one engine does in one step, summarised for a step-cost model without per-request
/// objects. A prefill chunk of <c>c</c> tokens on top of <c>p</c> tokens already in KV attends
/// over <c>c·p + c²/2</c> token pairs.
/// </summary>
/// <param name="PrefillTokens">Σ c over the prefill chunks in the step.</param>
/// <param name="PrefillSeqs">How many requests had a prefill chunk.</param>
/// <param name="PrefillChunkTimesPrior">Σ c·p.</param>
/// <param name="PrefillChunkSquared">Σ c².</param>
/// <param name="DecodeSeqs">Requests decoding one token each.</param>
/// <param name="DecodeContextTokens">Σ of their KV lengths (tokens each decode attends over).</param>
public readonly record struct BatchShape(
    int PrefillTokens,
    int PrefillSeqs,
    long PrefillChunkTimesPrior,
    long PrefillChunkSquared,
    int DecodeSeqs,
    long DecodeContextTokens)
{
    /// <summary>The longest and shortest KV length among the decodes (0 without decodes): how skewed the decode batch is.</summary>
    public int DecodeContextMax { get; init; }
    public int DecodeContextMin { get; init; }

    /// <summary>
    /// Each prefill chunk of the step with the KV already before it, when the engine listed them; null prices
    /// the prefill tokens as one chunk. vLLM runs them in one varlen attention kernel, each attending only to its own request.
    /// </summary>
    public IReadOnlyList<PrefillChunk>? PrefillChunks { get; init; }

    /// <summary>
    /// The token count the step's dense layers run at when DP ranks pad to the largest rank (vLLM's
    /// <c>coordinate_batch_across_dp</c> in a CUDA-graph step); 0 when the step is not padded.
    /// An idle rank's dummy batch is an empty batch padded this way.
    /// </summary>
    public int PadTo { get; init; }

    public int Tokens => PrefillTokens + DecodeSeqs;
    public int Seqs => PrefillSeqs + DecodeSeqs;
    public bool IsEmpty => Tokens == 0;

    /// <summary>Σ attention token pairs of the prefill chunks.</summary>
    public double PrefillAttentionPairs => PrefillChunkTimesPrior + PrefillChunkSquared / 2.0;

    /// <summary>Adds one request's share of the step.</summary>
    public BatchShape WithPrefill(int chunk, int prior) => this with
    {
        PrefillTokens = PrefillTokens + chunk,
        PrefillSeqs = PrefillSeqs + 1,
        PrefillChunkTimesPrior = PrefillChunkTimesPrior + (long)chunk * prior,
        PrefillChunkSquared = PrefillChunkSquared + (long)chunk * chunk,
    };

    public BatchShape WithDecode(int contextTokens) => this with
    {
        DecodeSeqs = DecodeSeqs + 1,
        DecodeContextTokens = DecodeContextTokens + contextTokens,
    };

    /// <summary>Takes a request's share back out (a request preempted after it was scheduled this step).</summary>
    public BatchShape WithoutPrefill(int chunk, int prior) => this with
    {
        PrefillTokens = PrefillTokens - chunk,
        PrefillSeqs = PrefillSeqs - 1,
        PrefillChunkTimesPrior = PrefillChunkTimesPrior - (long)chunk * prior,
        PrefillChunkSquared = PrefillChunkSquared - (long)chunk * chunk,
    };

    public BatchShape WithoutDecode(int contextTokens) => this with
    {
        DecodeSeqs = DecodeSeqs - 1,
        DecodeContextTokens = DecodeContextTokens - contextTokens,
    };
}

/// <summary>One request's prefill chunk in a step: <paramref name="Tokens"/> new tokens on top of <paramref name="Prior"/> already in KV.</summary>
public readonly record struct PrefillChunk(int Tokens, int Prior);
