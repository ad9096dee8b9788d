using System.Collections.Concurrent;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Engine;
using Strata.KvEvents;

namespace Strata.Emulation;

/// <summary>
/// One server's KV-cache events, published as vLLM publishes them: a ZMQ publisher per DP rank
/// (<see cref="KvEventPublisher"/>, at the configured ports plus the rank) fed by each rank's KV pool. The pool
/// reports a shared block entering or leaving its lookup table by its engine hash; a <c>BlockStored</c> also carries
/// the block's token ids and its parent's hash, which the pool does not keep, so every request registers its
/// prompt's blocks when it arrives (<see cref="Register"/>). A block's entry goes when the block is evicted, and
/// comes back with the next request that brings the same prompt. Generated tokens' blocks are not reported (no
/// later prompt of the emulator's workloads shares them).
/// </summary>
internal sealed class RankKvEvents : IKvEventSink, IDisposable
{
    private readonly KvEventPublisher[] _publishers;
    private readonly int[] _rankOfCore;
    private readonly int _blockSize;
    private readonly ConcurrentDictionary<ulong, (ulong? Parent, int[] Tokens)> _blocks = new();

    /// <param name="firstRank">The offset of this server's rank 0 among all servers' ranks (server × ranks).</param>
    /// <param name="rankOfCore">Each engine core's rank in this server, -1 for a core that is not one.</param>
    public RankKvEvents(KvEventsConfig config, int firstRank, int[] rankOfCore, int blockSize)
    {
        _rankOfCore = rankOfCore;
        _blockSize = blockSize;
        var ranks = rankOfCore.Count(r => r >= 0);
        _publishers = new KvEventPublisher[ranks];
        try
        {
            for (var r = 0; r < ranks; r++)
                _publishers[r] = new KvEventPublisher(new KvEventPublisherOptions
                {
                    Endpoint = config.Endpoint,
                    ReplayEndpoint = config.ReplayEndpoint,
                    DataParallelRank = firstRank + r,
                    BufferSteps = config.BufferSteps,
                    HighWaterMark = config.HighWaterMark,
                    Topic = config.Topic,
                });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Where each rank publishes, after the rank offset.</summary>
    public IEnumerable<string> Endpoints => _publishers.Select(p => p.Endpoint);

    /// <summary>
    /// A request arrived with these prompt tokens (the model's ids, or pseudo-tokens of four UTF-8 bytes): remembers
    /// the token ids and parent of each of its shared prompt blocks under the engine's hash for it.
    /// </summary>
    public void Register(RequestSpec spec, long id, ReadOnlySpan<int> promptTokens)
    {
        var chain = new BlockHashChain(spec, id, _blockSize);
        ulong? parent = null;
        for (var block = 0; block < promptTokens.Length / _blockSize; block++)
        {
            var hash = chain[block];
            if (!chain.IsShared(block)) break;
            _blocks.TryAdd(hash, (parent, promptTokens.Slice(block * _blockSize, _blockSize).ToArray()));
            parent = hash;
        }
    }

    public void OnBlocksStored(int engine, ReadOnlySpan<ulong> blockHashes)
    {
        foreach (var hash in blockHashes)
            if (_blocks.TryGetValue(hash, out var block))
                Publisher(engine)?.Publish([new BlockStored([hash], block.Parent is { } parent ? (EngineBlockHash)parent : null, block.Tokens, _blockSize, Medium: "GPU")]);
    }

    public void OnBlocksRemoved(int engine, ReadOnlySpan<ulong> blockHashes)
    {
        var removed = new List<EngineBlockHash>(blockHashes.Length);
        foreach (var hash in blockHashes)
        {
            _blocks.TryRemove(hash, out _);
            removed.Add(hash);
        }
        Publisher(engine)?.Publish([new BlockRemoved(removed, Medium: "GPU")]);
    }

    public void OnAllBlocksCleared(int engine) => Publisher(engine)?.Publish([new AllBlocksCleared()]);

    private KvEventPublisher? Publisher(int engine) => engine < _rankOfCore.Length && _rankOfCore[engine] >= 0 ? _publishers[_rankOfCore[engine]] : null;

    public void Dispose()
    {
        foreach (var publisher in _publishers) publisher?.Dispose();
    }
}
