namespace Strata.KvEvents.Tests;

/// <summary>vLLM's per-DP-rank endpoint rule (<c>offset_endpoint_port</c>) and its bind-or-connect heuristic.</summary>
public sealed class KvEventEndpointTests
{
    [Theory]
    [InlineData("tcp://*:5557", 0, "tcp://*:5557")]
    [InlineData("tcp://*:5557", 3, "tcp://*:5560")]
    [InlineData("tcp://10.0.0.5:5557", 1, "tcp://10.0.0.5:5558")]
    [InlineData("tcp://[::1]:5557", 2, "tcp://[::1]:5559")]
    [InlineData("inproc://cache", 2, "inproc://cache_dp2")]
    public void A_rank_moves_the_port_by_itself_and_suffixes_an_inproc_name(string endpoint, int rank, string expected) =>
        Assert.Equal(expected, KvEventEndpoint.ForRank(endpoint, rank));

    [Theory]
    [InlineData("ipc:///tmp/kv")]
    [InlineData("tcp://host")]
    public void An_endpoint_without_a_port_to_offset_is_refused(string endpoint) =>
        Assert.Throws<ArgumentException>(() => KvEventEndpoint.ForRank(endpoint, 1));

    [Theory]
    [InlineData("tcp://*:5557", true)]
    [InlineData("tcp://[::]:5557", true)]
    [InlineData("inproc://cache", true)]
    [InlineData("tcp://10.0.0.5:5557", false)]
    public void Wildcards_ipc_and_inproc_bind_and_anything_else_connects(string endpoint, bool binds) =>
        Assert.Equal(binds, KvEventEndpoint.IsBindAddress(endpoint));
}
