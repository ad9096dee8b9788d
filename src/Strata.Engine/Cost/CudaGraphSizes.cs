namespace Strata.Engine.Cost;

/// <summary>
/// The token counts vLLM captures CUDA graphs for. A step of up to the largest of them runs the graph of the
/// next size up, so its dense layers compute the padded token count; a larger step runs eager, unpadded
/// (vLLM 0.19 <c>vllm/config/vllm.py</c> <c>_set_cudagraph_sizes</c> and <c>vllm/v1/cudagraph_dispatcher.py</c>).
/// </summary>
public sealed class CudaGraphSizes
{
    private readonly int[] _sizes;

    public CudaGraphSizes(IEnumerable<int> sizes)
    {
        _sizes = sizes.Where(s => s > 0).Distinct().Order().ToArray();
    }

    /// <summary>
    /// vLLM's default capture list: 1, 2, 4, then every 8 below 256, then every 16 from 256, up to
    /// min(2 · max_num_seqs, 512, max_num_batched_tokens).
    /// </summary>
    public static CudaGraphSizes Default(int maxNumSeqs, int maxNumBatchedTokens)
    {
        var max = Math.Min(Math.Min(2 * maxNumSeqs, 512), maxNumBatchedTokens);
        var sizes = new List<int>(new[] { 1, 2, 4 }.Where(s => s <= max));
        for (var s = 8; s < Math.Min(max + 1, 256); s += 8) sizes.Add(s);
        for (var s = 256; s <= max; s += 16) sizes.Add(s);
        return new CudaGraphSizes(sizes);
    }

    public int Largest => _sizes.Length == 0 ? 0 : _sizes[^1];

    /// <summary>The tokens a step of <paramref name="tokens"/> computes: the next captured size, or itself past the largest.</summary>
    public int Pad(int tokens)
    {
        if (tokens <= 0 || tokens > Largest) return tokens;
        var i = _sizes.AsSpan().BinarySearch(tokens);
        return i >= 0 ? tokens : _sizes[~i];
    }
}
