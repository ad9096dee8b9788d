namespace Strata.Serving.Gateway.Config;

/// <summary>
/// One engine the gateway chooses among: a server URL, and for a server fronting several data-parallel ranks
/// (<c>vllm serve --data-parallel-size N</c>, SGLang <c>--dp-size N</c>), the rank a request is pinned to with the
/// <see cref="RankHeader"/>. A plain URL is one engine; the server places the request itself.
/// </summary>
/// <param name="KvEvents">Where the server publishes its KV events, if configured (<c>kv_events:</c>); this rank's are at its offset.</param>
public sealed record EngineTarget(Uri Url, int? Rank = null, KvEventSource? KvEvents = null)
{
    /// <summary>
    /// The header both engines read to pin a request to a DP rank: vLLM's <c>OpenAIServing._get_data_parallel_rank</c>
    /// (<c>vllm/entrypoints/openai/engine/serving.py</c>, case-insensitive; the balancer then skips its own choice in
    /// <c>DPLBAsyncMPClient.get_core_engine_for_request</c>), SGLang since sgl-project/sglang#19832
    /// (<c>serving_base.py</c>, over the body's <c>routed_dp_rank</c>).
    /// </summary>
    public const string RankHeader = "X-data-parallel-rank";

    /// <summary>The metrics label and log name: the URL, with <c>#dp</c> and the rank for one rank of a server.</summary>
    public string Name { get; } = Rank is { } rank ? $"{Url.AbsoluteUri.TrimEnd('/')}#dp{rank}" : Url.AbsoluteUri.TrimEnd('/');

    public override string ToString() => Name;
}
