using Strata.Core.Policies;

namespace Strata.Core.Dispatch.PrefixCache;

/// <summary>How a prefix index learns what engines hold.</summary>
public enum PrefixIndexMode
{
    /// <summary>From routing history: the blocks of each routed prompt are recorded on the chosen engine (engine KV events are ignored).</summary>
    Approximate,

    /// <summary>From engine KV events only (<see cref="IKvEventSink"/>); routing decisions record nothing.</summary>
    Precise,
}

/// <summary>
/// The prefix-cache part of an affinity selector: its <see cref="PrefixIndex"/>, the mode that
/// feeds it, and a reusable per-engine match buffer. Each engine's LRU is sized from its KV
/// capacity (<see cref="EngineView.KvCapacityTokens"/> / block size) as soon as a view reports it,
/// else <c>lru_capacity_blocks</c> (default 31250, llm-d's <c>lruCapacityPerServer</c>).
/// Options: <c>prefix_mode: approximate|precise</c>, <c>block_size</c> (tokens, default 16),
/// <c>lru_capacity_blocks</c>.
/// </summary>
public sealed class PrefixAffinity : IKvEventSink
{
    public static readonly string[] OptionKeys = ["prefix_mode", "block_size", "lru_capacity_blocks"];

    private int[] _matched = new int[8];
    private bool[] _learnsFromRoutes = [];

    public PrefixAffinity(PrefixIndexMode mode = PrefixIndexMode.Approximate, int blockSize = 16, int defaultCapacityBlocks = 31250)
    {
        if (blockSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "block_size must be a positive number of tokens, e.g. 16.");
        Mode = mode;
        BlockSize = blockSize;
        Index = new PrefixIndex(defaultCapacityBlocks);
    }

    public PrefixIndexMode Mode { get; }

    /// <summary>Tokens per KV block; requests' <see cref="DispatchRequest.BlockHashes"/> must be hashed with it.</summary>
    public int BlockSize { get; }

    public PrefixIndex Index { get; }

    /// <summary>Precise mode learns only from engine KV events, which a world must supply.</summary>
    public SignalFields Requires => Mode == PrefixIndexMode.Precise ? SignalFields.KvEvents : SignalFields.None;

    public static PrefixAffinity FromOptions(PolicyOptions options) => new(
        options.GetChoice("prefix_mode", "approximate", "approximate", "precise") == "precise" ? PrefixIndexMode.Precise : PrefixIndexMode.Approximate,
        options.GetInt("block_size", 16, 1),
        options.GetInt("lru_capacity_blocks", 31250, 0));

    /// <summary>
    /// Blocks of the request's prompt each engine holds as a consecutive prefix, indexed like
    /// <paramref name="engines"/>; valid until the next call. Reads the index only.
    /// </summary>
    public ReadOnlySpan<int> Match(in DispatchRequest request, ReadOnlySpan<EngineView> engines)
    {
        if (_matched.Length < engines.Length) _matched = new int[Math.Max(engines.Length, 2 * _matched.Length)];
        var matched = _matched.AsSpan(0, engines.Length);
        Index.LongestPrefixMatch(request.BlockHashes.Span, matched);
        return matched;
    }

    /// <summary>
    /// The request was routed to <paramref name="engine"/>: each engine's LRU takes the capacity its view
    /// reports, and approximate mode predicts the prompt's blocks are cached on the engine.
    /// </summary>
    public void OnRouted(int engine, in DispatchRequest request, ReadOnlySpan<EngineView> engines)
    {
        for (var i = 0; i < engines.Length; i++)
        {
            var capacity = engines[i].KvCapacityTokens / BlockSize;
            if (capacity > 0 && capacity != Index.Capacity(i)) Index.SetCapacity(i, (int)Math.Min(capacity, int.MaxValue));
        }
        if (LearnsFromRoutes(engine)) Index.Record(engine, request.BlockHashes.Span);
    }

    /// <summary>
    /// In precise mode, an engine whose KV events stopped (its feed is degraded) is indexed from routing decisions
    /// meanwhile, as in approximate mode, rather than left to a view that no longer changes; <c>false</c> when its
    /// events flow again (the feed then rebuilds its view from them).
    /// </summary>
    public void LearnFromRoutes(int engine, bool learn)
    {
        if (Mode == PrefixIndexMode.Approximate) return;
        if (engine >= _learnsFromRoutes.Length)
        {
            if (!learn) return;
            Array.Resize(ref _learnsFromRoutes, Math.Max(engine + 1, 2 * _learnsFromRoutes.Length));
        }
        _learnsFromRoutes[engine] = learn;
    }

    /// <summary>Whether routing decisions record prompts on <paramref name="engine"/>: always in approximate mode; in precise mode while its events are degraded.</summary>
    public bool LearnsFromRoutes(int engine) =>
        Mode == PrefixIndexMode.Approximate || (engine < _learnsFromRoutes.Length && _learnsFromRoutes[engine]);

    /// <summary>
    /// The engine failed the request before serving it: in approximate mode its prompt's blocks leave that engine's
    /// index. Blocks another request left there go too, which costs a little affinity and never claims a block the
    /// engine may not hold. Precise mode waits for the engine's own events.
    /// </summary>
    public void OnAbandoned(int engine, in DispatchRequest request)
    {
        if (LearnsFromRoutes(engine)) Index.OnBlocksRemoved(engine, request.BlockHashes.Span);
    }

    public void OnBlocksStored(int engine, ReadOnlySpan<ulong> blockHashes)
    {
        if (Mode == PrefixIndexMode.Precise) Index.OnBlocksStored(engine, blockHashes);
    }

    public void OnBlocksRemoved(int engine, ReadOnlySpan<ulong> blockHashes)
    {
        if (Mode == PrefixIndexMode.Precise) Index.OnBlocksRemoved(engine, blockHashes);
    }

    public void OnAllBlocksCleared(int engine)
    {
        if (Mode == PrefixIndexMode.Precise) Index.OnAllBlocksCleared(engine);
    }
}
