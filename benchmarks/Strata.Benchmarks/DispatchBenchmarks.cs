using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;

namespace Strata.Benchmarks;

/// <summary>
/// One engine-level decision over 64 engines whose prefix index holds 1M KV blocks (16,384 per
/// engine), per policy. Affinity policies run in precise mode (the index is read, not written)
/// and, suffixed <c>/approximate</c>, in approximate mode, where every decision also records its
/// 64-block prompt into a full LRU (64 evictions + inserts).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PercentileConfig))]
public class DispatchBenchmarks
{
    private const int Engines = 64;
    private const int BlocksPerEngine = 16_384;
    private const int PromptBlocks = 64;
    private const int Requests = 1024;

    private IEngineSelector _selector = null!;
    private EngineView[] _engines = null!;
    private DispatchRequest[] _requests = null!;
    private int _next;
    private double _now;

    [Params("round-robin", "vllm-dp", "least-load", "power-of-two", "gimbal", "gimbal-pressure", "sticky",
        "llmd", "llmd/approximate", "sglang-cache-aware", "sglang-cache-aware/approximate", "dynamo-kv", "dynamo-kv/approximate",
        "prefix-pressure", "prefix-pressure/approximate")]
    public string Policy { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var parts = Policy.Split('/');
        var parameters = new Dictionary<string, string>();
        var prefixAware = Policies.Dispatch.Create(new PolicyOptions(parts[0])) is IPrefixAwareSelector;
        if (prefixAware)
        {
            parameters["prefix_mode"] = parts.Length > 1 ? parts[1] : "precise";
            parameters["lru_capacity_blocks"] = BlocksPerEngine.ToString();
        }
        _selector = Policies.Dispatch.Create(new PolicyOptions(parts[0], parameters));

        // Each engine holds 256 conversations of 64 chained blocks; a request shares a random-length
        // prefix with one of them and continues with fresh blocks.
        var hasher = new PrefixBlockHasher();
        var conversations = new ulong[Engines * BlocksPerEngine / PromptBlocks][];
        for (var c = 0; c < conversations.Length; c++)
            conversations[c] = hasher.HashTokens(Enumerable.Range(0, PromptBlocks * hasher.BlockSize).Select(_ => random.Next()).ToArray());
        if (_selector is IPrefixAwareSelector affinity)
            for (var c = 0; c < conversations.Length; c++) affinity.Affinity.Index.OnBlocksStored(c % Engines, conversations[c]);

        var users = Enumerable.Range(0, 512).Select(u => "user-" + u).ToArray();
        _requests = new DispatchRequest[Requests];
        for (var r = 0; r < Requests; r++)
        {
            var shared = conversations[random.Next(conversations.Length)].AsSpan(0, random.Next(PromptBlocks + 1)).ToArray();
            var blocks = shared.Concat(Enumerable.Range(0, PromptBlocks - shared.Length).Select(_ => (ulong)random.NextInt64())).ToArray();
            _requests[r] = new DispatchRequest(r, PromptBlocks * hasher.BlockSize, User: users[random.Next(users.Length)],
                Session: users[random.Next(users.Length)], BlockHashes: blocks);
        }
        _engines = Enumerable.Range(0, Engines).Select(i => new EngineView(i, random.Next(8), random.Next(64), random.NextDouble() * 0.95,
            random.Next(20_000), random.Next(4_000), random.Next(200_000), InFlight: random.Next(3), InFlightPrefillTokens: random.Next(3_000),
            ExpertPressure: random.NextDouble(), KvCapacityTokens: (long)BlocksPerEngine * hasher.BlockSize)).ToArray();
    }

    [Benchmark]
    public int Select() => _selector.Route(_requests[_next++ & (Requests - 1)], _engines, _now += 0.001);

    internal sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig() => AddColumn(StatisticColumn.P95, new P99Column());
    }

    /// <summary>BenchmarkDotNet has no P99 column; this one reads the 99th percentile of the measured iterations.</summary>
    private sealed class P99Column : IColumn
    {
        public string Id => "P99";
        public string ColumnName => "P99 [ns]";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Statistics;
        public int PriorityInCategory => 10;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "99th percentile of the iteration means";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            if (statistics is null) return "NA";
            return statistics.Percentiles.Percentile(99).ToString("N1", style.CultureInfo);
        }
    }
}
