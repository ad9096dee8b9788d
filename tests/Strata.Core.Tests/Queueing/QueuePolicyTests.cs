using Strata.Core.Policies;
using Strata.Core.Queueing;

namespace Strata.Core.Tests.Queueing;

public class QueuePolicyTests
{
    private static IWaitingQueue<long> Queue(string name, params (string Key, string Value)[] parameters) =>
        Policies.Policies.Queue.Create(new PolicyOptions(name, parameters.ToDictionary(p => p.Key, p => p.Value), "queue")).CreateQueue<long>();

    private static List<long> Drain(IWaitingQueue<long> queue, double now)
    {
        var order = new List<long>();
        while (queue.TryPeek(now, out var peeked))
        {
            var taken = queue.Take(now);
            Assert.Equal(peeked, taken);
            order.Add(taken);
        }
        return order;
    }

    [Fact]
    public void Priority_serves_lower_values_first_then_by_arrival_and_requeues_preempted_by_key()
    {
        var q = Queue("priority");
        q.Add(1, new QueueEntry(1, 0.0, 100, Priority: 2));
        q.Add(2, new QueueEntry(2, 0.1, 100, Priority: 0));
        q.Add(3, new QueueEntry(3, 0.2, 100, Priority: 0));
        q.AddPreempted(9, new QueueEntry(9, 0.05, 100, Priority: 1));
        Assert.Equal([2L, 3L, 9L, 1L], Drain(q, 1));
    }

    [Fact]
    public void Sjf_aging_is_shortest_first_until_a_request_has_waited_theta_age()
    {
        var q = Queue("sjf-aging", ("theta_age_s", "5"));
        q.Add(1, new QueueEntry(1, 0.0, 9000));
        q.Add(2, new QueueEntry(2, 3.0, 500));
        q.Add(3, new QueueEntry(3, 4.0, 100));
        Assert.True(q.TryPeek(4.9, out var early));
        Assert.Equal(3, early);
        // At t = 5 the 9,000-token request has waited 5 s: it goes ahead of everything shorter.
        Assert.Equal([1L, 3L, 2L], Drain(q, 5.0));
    }

    [Fact]
    public void Sjf_uncached_orders_by_what_is_left_after_the_prefix_hit()
    {
        var q = Queue("sjf-uncached");
        q.Add(1, new QueueEntry(1, 0, 4000, CachedTokens: 3900));
        q.Add(2, new QueueEntry(2, 0, 1000));
        Assert.Equal([1L, 2L], Drain(q, 0));
        var plain = Queue("sjf-aging");
        plain.Add(1, new QueueEntry(1, 0, 4000, CachedTokens: 3900));
        plain.Add(2, new QueueEntry(2, 0, 1000));
        Assert.Equal([2L, 1L], Drain(plain, 0));
    }

    [Fact]
    public void Continuous_aging_trades_waiting_time_for_tokens()
    {
        var q = Queue("sjf-continuous", ("aging_tokens_per_s", "100"));
        q.Add(1, new QueueEntry(1, 0.0, 1500));  // key 1500 + 100·0 = 1500
        q.Add(2, new QueueEntry(2, 10.0, 600));   // key 600 + 100·10 = 1600
        Assert.Equal([1L, 2L], Drain(q, 10));
    }

    [Fact]
    public void Wspt_weighs_urgent_requests_up_and_long_ones_down()
    {
        var q = Queue("wspt");
        q.Add(1, new QueueEntry(1, 0, 1000));               // 1/1000
        q.Add(2, new QueueEntry(2, 0, 1500, Priority: -1)); // 2/1500
        q.Add(3, new QueueEntry(3, 0, 400));                // 1/400
        Assert.Equal([3L, 2L, 1L], Drain(q, 0));
    }

    [Fact]
    public void Vllm_sjf_score_blends_wait_and_length()
    {
        var fresh = new QueueEntry(1, 29.9, 100);
        var old = new QueueEntry(2, 0, 30000);
        // Waiting 30 s: 0.5·σ(5) + 0.5·σ(0.08) ≈ 0.757 beats a 100-token request that just arrived (≈ 0.502).
        Assert.Equal(0.757, VllmShortestJobFirst.Score(old, 30), 3);
        Assert.Equal(0.502, VllmShortestJobFirst.Score(fresh, 30), 3);
        var q = Queue("sjf");
        q.Add(1, fresh);
        q.Add(2, old);
        Assert.Equal([2L, 1L], Drain(q, 30));
        // Had both just arrived, the short one would go first.
        var even = Queue("sjf");
        even.Add(1, new QueueEntry(1, 30, 100));
        even.Add(2, new QueueEntry(2, 30, 30000));
        Assert.Equal([1L, 2L], Drain(even, 30));
    }

    [Fact]
    public void Fair_alternates_tenants_by_tokens_not_by_requests()
    {
        var q = Queue("fair", ("quantum_tokens", "1000"));
        var id = 0L;
        for (var i = 0; i < 4; i++) q.Add(++id, new QueueEntry(id, 0, 1000, Tenant: "big"));
        for (var i = 0; i < 8; i++) q.Add(++id, new QueueEntry(id, 0, 500, Tenant: "small"));
        var order = Drain(q, 0);
        // Per 1,000-token quantum: one big request, or two small ones.
        Assert.Equal([1L, 5L, 6L, 2L, 7L, 8L, 3L, 9L, 10L, 4L, 11L, 12L], order);
    }

    public static TheoryData<string> AllPolicies() => new(Policies.Policies.Queue.Names);

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public void Every_policy_serves_each_request_once_and_resumes_preempted_work(string policy)
    {
        var q = Queue(policy);
        var random = new Random(policy.Length);
        var added = new List<long>();
        for (var i = 0; i < 200; i++)
        {
            q.Add(i, new QueueEntry(i, i * 0.05, random.Next(1, 8000), random.Next(0, 500), random.Next(-1, 2), "t" + random.Next(3)));
            added.Add(i);
        }
        Assert.True(q.Remove(17));
        Assert.False(q.Remove(17));
        added.Remove(17);
        var taken = new List<long>();
        for (var i = 0; i < 50; i++) taken.Add(q.Take(12));
        q.AddPreempted(taken[^1], new QueueEntry(taken[^1], 0, 10));
        if (policy != PriorityScheduling.PolicyName)
        {
            Assert.True(q.TryPeek(12, out var next));
            Assert.Equal(taken[^1], next);
        }
        taken.RemoveAt(taken.Count - 1);
        taken.AddRange(Drain(q, 20));
        Assert.Equal(added.Order(), taken.Order());
        Assert.Equal(0, q.Count);
    }
}
