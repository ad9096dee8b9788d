using BenchmarkDotNet.Attributes;
using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;
using Strata.KvEvents;

namespace Strata.Benchmarks;

/// <summary>
/// The KV-event path of precise prefix routing over 64 engines. <see cref="DecodeAndApply"/>: one vLLM batch
/// storing a 64-block run (1,024 tokens) is decoded and applied through the dual-key adapter to a full index
/// (each engine's LRU holds 512 blocks, so every run evicts 64 and inserts 64). <see cref="RouteOnEventFedIndex"/>:
/// one <c>llmd</c> decision in precise mode on an index of 1M blocks (16,384 per engine) that events built,
/// holding the lock the adapter applies events under, as a gateway would.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(DispatchBenchmarks.PercentileConfig))]
public class KvEventBenchmarks
{
    private const int Engines = 64;
    private const int RunBlocks = 64;
    private const int BlocksPerEngine = 16_384;
    private const int Payloads = 1024;

    private readonly Lock _gate = new();
    private readonly PrefixBlockHasher _hasher = new();
    private byte[][] _payloads = null!;
    private KvEventBatch[] _batches = null!;
    private KvEventIndexAdapter _applyAdapter = null!;
    private IEngineSelector _selector = null!;
    private EngineView[] _engines = null!;
    private DispatchRequest[] _requests = null!;
    private int _next;
    private double _now;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        ulong engineHash = 1;
        KvEventBatch Run(int[] tokens) =>
            new(0, [new BlockStored([.. Enumerable.Range(0, RunBlocks).Select(_ => (EngineBlockHash)engineHash++)], null, tokens, _hasher.BlockSize, Medium: "GPU")]);
        int[] Tokens() => [.. Enumerable.Range(0, RunBlocks * _hasher.BlockSize).Select(_ => random.Next(150_000))];

        _payloads = [.. Enumerable.Range(0, Payloads).Select(_ => KvEventCodec.Encode(Run(Tokens())))];
        _batches = [.. _payloads.Select(p => KvEventCodec.Decode(p))];
        _applyAdapter = new KvEventIndexAdapter(new PrefixIndex(defaultCapacityBlocks: 512), _hasher, new Lock());
        for (var i = 0; i < Payloads; i++) _applyAdapter.Apply(i % Engines, _batches[i]);

        _selector = Policies.Dispatch.Create(new PolicyOptions("llmd", new Dictionary<string, string>
        {
            ["prefix_mode"] = "precise", ["lru_capacity_blocks"] = BlocksPerEngine.ToString(),
        }));
        var routeAdapter = new KvEventIndexAdapter(((IPrefixAwareSelector)_selector).Affinity, _hasher, _gate);
        var conversations = new int[Engines * BlocksPerEngine / RunBlocks][];
        for (var c = 0; c < conversations.Length; c++)
        {
            conversations[c] = Tokens();
            routeAdapter.Apply(c % Engines, Run(conversations[c]));
        }
        // A request shares a random number of leading blocks with one conversation and continues with fresh tokens.
        _requests = new DispatchRequest[Payloads];
        for (var r = 0; r < Payloads; r++)
        {
            var prompt = Tokens();
            var shared = random.Next(RunBlocks + 1) * _hasher.BlockSize;
            conversations[random.Next(conversations.Length)].AsSpan(0, shared).CopyTo(prompt);
            _requests[r] = new DispatchRequest(r, prompt.Length, BlockHashes: _hasher.HashTokens(prompt));
        }
        _engines = [.. Enumerable.Range(0, Engines).Select(i => new EngineView(i, random.Next(8), random.Next(64), random.NextDouble() * 0.95,
            random.Next(20_000), random.Next(4_000), random.Next(200_000), KvCapacityTokens: (long)BlocksPerEngine * _hasher.BlockSize))];
    }

    [Benchmark]
    public int DecodeAndApply()
    {
        var i = _next++ & (Payloads - 1);
        _applyAdapter.Apply(i % Engines, KvEventCodec.Decode(_payloads[i]));
        return i;
    }

    /// <summary>The decoding part of <see cref="DecodeAndApply"/>.</summary>
    [Benchmark]
    public int Decode() => KvEventCodec.Decode(_payloads[_next++ & (Payloads - 1)]).Events.Count;

    /// <summary>The applying part of <see cref="DecodeAndApply"/>.</summary>
    [Benchmark]
    public int Apply()
    {
        var i = _next++ & (Payloads - 1);
        _applyAdapter.Apply(i % Engines, _batches[i]);
        return i;
    }

    [Benchmark]
    public int RouteOnEventFedIndex()
    {
        lock (_gate) return _selector.Route(_requests[_next++ & (Payloads - 1)], _engines, _now += 0.001);
    }
}
