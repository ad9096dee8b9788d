using Strata.Simulation.Workloads;

namespace Strata.Simulation.Tests.Workloads;

public class ChatWorkloadTests
{
    private static readonly Workload Chat = WorkloadCatalog.Open(new WorkloadOptions("chat", Rate: 2.0, Requests: 2000, Seed: 3));

    [Fact]
    public void Keeps_the_request_count_and_about_the_requested_rate()
    {
        Assert.Equal(2000, Chat.Count);
        var sessionsStartedBy = Chat.Requests.GroupBy(r => r.Session).Max(g => g.First().ArrivalTime);
        // Session starts are spread so that all turns average 2 req/s over the start window.
        Assert.InRange(sessionsStartedBy, 2000 / 2.0 * 0.9, 2000 / 2.0 * 1.01);
        Assert.All(Chat.Requests, r => Assert.True(r.User is not null && r.Session is not null && r.Domain is not null));
    }

    [Fact]
    public void A_session_s_turns_arrive_in_order_after_the_previous_answer_and_a_think_time()
    {
        foreach (var session in Chat.Requests.GroupBy(r => r.Session))
        {
            var turns = session.ToArray();
            Assert.Single(turns.Select(t => t.User).Distinct());
            for (var i = 1; i < turns.Length; i++)
            {
                var previous = turns[i - 1];
                var earliest = previous.ArrivalTime + previous.OutputTokens * ChatWorkloadGenerator.NominalTpotSeconds + ChatWorkloadGenerator.MinThinkSeconds;
                Assert.True(turns[i].ArrivalTime >= earliest - 1e-9, $"{session.Key} turn {i} arrives before the previous answer could be read");
            }
        }
    }

    [Fact]
    public void Each_turn_extends_the_previous_prompt_and_answer_under_the_same_leading_segments()
    {
        var multiTurn = 0;
        foreach (var session in Chat.Requests.GroupBy(r => r.Session))
        {
            var turns = session.ToArray();
            foreach (var turn in turns)
            {
                Assert.True(turn.OutputContinuesPrefix);
                Assert.Equal(2, turn.Prefix.Count);
                Assert.Equal(turn.PromptTokens, turn.Prefix.Sum(s => s.Tokens));
            }

            for (var i = 1; i < turns.Length; i++)
            {
                multiTurn++;
                Assert.Equal(turns[0].Prefix[0], turns[i].Prefix[0]);
                Assert.Equal(turns[0].Prefix[1].Key, turns[i].Prefix[1].Key);
                // History = the previous prompt's session part plus its answer, then a new message.
                Assert.True(turns[i].Prefix[1].Tokens > turns[i - 1].Prefix[1].Tokens + turns[i - 1].OutputTokens);
            }
        }

        Assert.True(multiTurn > 1000, "most requests should be follow-up turns");
    }

    [Fact]
    public void Sessions_of_one_app_share_its_system_prompt_and_no_two_sessions_share_a_history()
    {
        var byApp = Chat.Requests.GroupBy(r => r.Tenant).ToArray();
        Assert.Equal(RequestDomains.All.Count, byApp.Length);
        Assert.All(byApp, app => Assert.Single(app.Select(r => r.Prefix[0]).Distinct()));
        Assert.Equal(byApp.Length, Chat.Requests.Select(r => r.Prefix[0].Key).Distinct().Count());
        Assert.Equal(Chat.Requests.Select(r => r.Session).Distinct().Count(), Chat.Requests.Select(r => r.Prefix[1].Key).Distinct().Count());
        Assert.Empty(Chat.Requests.Select(r => r.Prefix[0].Key).Intersect(Chat.Requests.Select(r => r.Prefix[1].Key)));
    }

    [Fact]
    public void Users_come_back_for_several_sessions_and_prompts_stay_under_the_context_cap()
    {
        var sessionsPerUser = Chat.Requests.GroupBy(r => r.User).Select(u => u.Select(r => r.Session).Distinct().Count()).ToArray();
        Assert.True(sessionsPerUser.Average() > 1.5);
        Assert.All(Chat.Requests, r => Assert.True(r.PromptTokens <= ChatWorkloadGenerator.MaxPromptTokens + 4096));
    }
}
