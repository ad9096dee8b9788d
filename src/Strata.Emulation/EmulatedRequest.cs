using System.Threading.Channels;
using Strata.Core.Dispatch;
using Strata.Engine;

namespace Strata.Emulation;

/// <summary>
/// One HTTP request inside an emulated engine: the simulator's request, and the channel its
/// sampled tokens reach the HTTP response through. The engine loop writes; the response reads.
/// </summary>
internal sealed class EmulatedRequest
{
    private readonly Channel<int> _tokens = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public EmulatedRequest(SimRequest sim, double arrival, int rank, RoutedRequest routed)
    {
        Sim = sim;
        Arrival = arrival;
        Rank = rank;
        Routed = routed;
    }

    public SimRequest Sim { get; }

    /// <summary>The server's DP rank the request runs on.</summary>
    public int Rank { get; }

    /// <summary>The request as the server's DP balancer counts it; finished when the request ends.</summary>
    public RoutedRequest Routed { get; }

    /// <summary>Modelled time the request reached the engine, where TTFT and E2E start (vLLM's arrival_time).</summary>
    public double Arrival { get; }

    public int PromptTokens => Sim.PromptTokens;
    public int MaxTokens => Sim.MaxOutputTokens;

    /// <summary>Generated tokens, numbered from 1; completes after the last one (or when aborted).</summary>
    public ChannelReader<int> Tokens => _tokens.Reader;

    internal void OnToken(int number) => _tokens.Writer.TryWrite(number);

    internal void OnEnded()
    {
        _tokens.Writer.TryComplete();
        Routed.Finish();
    }
}
