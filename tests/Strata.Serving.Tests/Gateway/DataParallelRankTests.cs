using Strata.Serving.Gateway.Config;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// A server fronting several data-parallel ranks (<c>vllm serve --data-parallel-size N</c>) is N engines to the
/// gateway: it chooses the rank and pins the request with <c>X-data-parallel-rank</c>, beside plain single-engine
/// backends; each rank keeps its own series of the server's <c>/metrics</c>, health and retries.
/// </summary>
public sealed class DataParallelRankTests
{
    private static string Config(FakeEngine ranked, FakeEngine single, int ranks, string extra = "") =>
        $"health: {{interval_ms: 100, timeout_ms: 1000}}\nmodels:\n  - name: m\n    backends: [{{url: {ranked.Url.AbsoluteUri}, data_parallel_size: {ranks}}}, {single.Url.AbsoluteUri}]\n" + extra;

    [Fact]
    public async Task Each_rank_is_an_engine_pinned_by_the_rank_header_and_the_clients_header_never_passes()
    {
        await using var ranked = await FakeEngine.StartAsync("dp");
        await using var single = await FakeEngine.StartAsync("single");
        await using var gateway = await TestGateway.StartAsync(Config(ranked, single, ranks: 4, "    dispatch: {name: round-robin}\n"));

        for (var i = 0; i < 10; i++)
        {
            var request = TestGateway.Chat(stream: false);
            request.Headers.Add(EngineTarget.RankHeader, "3"); // a client cannot pin: the gateway decides
            using var response = await gateway.Client.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        var ranks = ranked.ReceivedHeads.Select(h => h.Headers[EngineTarget.RankHeader]).Order().ToArray();
        Assert.Equal(["0", "0", "1", "1", "2", "2", "3", "3"], ranks);
        Assert.Equal(2, single.ReceivedHeads.Count);
        Assert.All(single.ReceivedHeads, h => Assert.False(h.Headers.ContainsKey(EngineTarget.RankHeader)));
        Assert.Equal(
            ["http://127.0.0.1:" + ranked.Url.Port + "#dp0", "http://127.0.0.1:" + ranked.Url.Port + "#dp3", single.Url.AbsoluteUri.TrimEnd('/')],
            gateway.State.Models["m"].Backends.Select(b => b.Name).Where((_, i) => i is 0 or 3 or 4));
    }

    [Fact]
    public async Task A_rank_reads_only_its_own_series_of_the_servers_metrics()
    {
        await using var ranked = await FakeEngine.StartAsync("dp");
        await using var single = await FakeEngine.StartAsync("single");
        await using var gateway = await TestGateway.StartAsync(Config(ranked, single, ranks: 2));
        var backends = gateway.State.Models["m"].Backends;

        await TestGateway.EventuallyAsync(async () => backends[0].Signals is not null && backends[2].Signals is not null, "the first scrapes land");

        // The fake server exports engine="0" only: rank 0 has its series, rank 1 none (its view is the gateway's own count).
        Assert.Equal(0.25, backends[0].Signals!.KvUsage);
        Assert.Equal(16_000, backends[0].Signals!.KvCapacityTokens);
        Assert.Null(backends[1].Signals);
    }

    [Fact]
    public async Task A_request_a_rank_fails_before_its_first_byte_is_retried_on_another_rank_of_the_same_server()
    {
        await using var ranked = await FakeEngine.StartAsync("dp");
        await using var single = await FakeEngine.StartAsync("single");
        ranked.Failure = FakeFailure.Error500;
        single.Healthy = false;
        await using var gateway = await TestGateway.StartAsync(Config(ranked, single, ranks: 2));
        await TestGateway.EventuallyAsync(async () => !gateway.State.Models["m"].Backends[2].Health.IsHealthy, "the single engine leaves the pool");

        using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));

        Assert.Equal(500, (int)response.StatusCode); // every engine failed it: the last answer is passed on
        Assert.Equal(["0", "1"], ranked.ReceivedHeads.Select(h => h.Headers[EngineTarget.RankHeader]).Order());
    }
}
