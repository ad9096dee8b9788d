using Strata.Engine;
namespace Strata.Simulation.Workloads;

/// <summary>
/// Multi-turn chat: tenants (apps) each with one system prompt, users with several sessions, and
/// sessions of several turns. A turn's prompt is the system prompt, the whole history (every earlier
/// message and answer) and the new message, which is how OpenAI-style chat APIs are called.
/// Content identity: segment (system key, S) is shared by every session of that app; segment
/// (session key, history + message) continues turn to turn, and <see cref="RequestSpec.OutputContinuesPrefix"/>
/// lets the next turn's history, which includes this answer, hit this turn's KV blocks.
/// </summary>
/// <remarks>
/// Arrival times are fixed before the simulation runs, so the next turn cannot wait for the real
/// answer. It arrives after the previous turn's nominal completion time (prefill at
/// <see cref="NominalPrefillTokensPerSecond"/>, decode at <see cref="NominalTpotSeconds"/> per token)
/// plus a think time of <see cref="MinThinkSeconds"/> + Exp(mean <see cref="MeanExtraThinkSeconds"/>),
/// the time to read the answer and type the next message. These are our assumptions: the research
/// files give no conversation-interval numbers. Session starts follow the arrival process at the
/// rate that makes the whole workload average the requested rate.
/// </remarks>
internal static class ChatWorkloadGenerator
{
    public const double NominalPrefillTokensPerSecond = 8000;
    public const double NominalTpotSeconds = 0.03;
    public const double MinThinkSeconds = 2;
    public const double MeanExtraThinkSeconds = 8;
    public const int MaxTurns = 12;
    public const double MeanTurns = 4;
    /// <summary>
    /// A turn whose prompt would pass this starts a new session instead (same user, app and time),
    /// as chat apps cap a thread's context; the workload keeps its request count.
    /// </summary>
    public const int MaxPromptTokens = 16_384;
    public const int SessionsPerUser = 3;

    private const ulong SystemKind = 1UL << 48;
    private const ulong SessionKind = 2UL << 48;

    public static List<RequestSpec> Generate(int requests, double rate, double burstiness, Random random, Random arrivals)
    {
        // Every app is one tenant with one domain and its own system prompt.
        var systemPrompts = RequestDomains.All.Select(_ => random.Next(200, 2001)).ToArray();

        var turnCounts = new List<int>();
        for (var planned = 0; planned < requests; planned += turnCounts[^1])
            turnCounts.Add(Math.Min(TurnCount(random), requests - planned));

        var sessionRate = rate * turnCounts.Count / requests;
        var starts = new ArrivalProcess(sessionRate, burstiness).Times(turnCounts.Count, arrivals);
        var users = Math.Max(1, turnCounts.Count / SessionsPerUser);

        var result = new List<RequestSpec>(requests);
        var sessions = 0;
        for (var s = 0; s < turnCounts.Count; s++)
        {
            var session = sessions++;
            var app = random.Next(systemPrompts.Length);
            var user = $"u{random.Next(users)}";
            var systemTokens = systemPrompts[app];
            var history = 0;
            var time = starts[s];
            for (var turn = 0; turn < turnCounts[s]; turn++)
            {
                var message = UserMessageTokens(random);
                var output = BurstGptOutputLengths.Sample(random);
                if (history > 0 && systemTokens + history + message > MaxPromptTokens)
                {
                    session = sessions++;
                    history = 0;
                }

                var prompt = systemTokens + history + message;
                result.Add(new RequestSpec(time, prompt, output)
                {
                    User = user,
                    Session = $"s{session}",
                    Tenant = $"app-{RequestDomains.All[app]}",
                    Domain = RequestDomains.All[app],
                    Prefix = [new PrefixSegment(SystemKind | (uint)app, systemTokens), new PrefixSegment(SessionKind | (uint)session, history + message)],
                    OutputContinuesPrefix = true,
                });
                history += message + output;
                time += prompt / NominalPrefillTokensPerSecond + output * NominalTpotSeconds
                    + MinThinkSeconds - MeanExtraThinkSeconds * Math.Log(GammaSampler.OpenUnit(random));
            }
        }

        return result;
    }

    /// <summary>Geometric on 1..<see cref="MaxTurns"/> with mean about <see cref="MeanTurns"/>.</summary>
    private static int TurnCount(Random random)
    {
        var turns = 1;
        while (turns < MaxTurns && random.NextDouble() < 1 - 1 / MeanTurns) turns++;
        return turns;
    }

    /// <summary>A new user message: log-normal, median 120 tokens, 4 to 4,096.</summary>
    private static int UserMessageTokens(Random random) =>
        (int)Math.Clamp(Math.Round(120 * Math.Exp(GammaSampler.StandardNormal(random))), 4, 4096);
}
