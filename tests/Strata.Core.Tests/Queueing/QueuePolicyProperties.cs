using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Queueing;

namespace Strata.Core.Tests.Queueing;

/// <summary>Properties of the request-level policies over random arrival patterns.</summary>
public class QueuePolicyProperties
{
    private sealed record Job(long Id, double Arrival, int Tokens);

    private static List<Job> Jobs(int seed, int count, double rate)
    {
        var random = new Random(seed);
        var time = 0.0;
        return Enumerable.Range(0, count).Select(i =>
        {
            time += -Math.Log(1 - random.NextDouble()) / rate;
            return new Job(i, time, random.Next(1, 4000));
        }).ToList();
    }

    /// <summary>
    /// One server that serves one request at a time, taking tokens / speed seconds, with the
    /// queue picking the next at each completion; returns each job's (start, order of aging).
    /// </summary>
    private static List<(Job Job, double Start)> Serve(IQueuePolicy policy, List<Job> jobs, double speed, Action<IReadOnlyCollection<Job>, double, Job>? check = null)
    {
        var queue = policy.CreateQueue<Job>();
        var waiting = new HashSet<Job>();
        var served = new List<(Job, double)>();
        var next = 0;
        var now = 0.0;
        while (served.Count < jobs.Count)
        {
            while (next < jobs.Count && jobs[next].Arrival <= now)
            {
                queue.Add(jobs[next], new QueueEntry(jobs[next].Id, jobs[next].Arrival, jobs[next].Tokens));
                waiting.Add(jobs[next]);
                next++;
            }
            if (!queue.TryPeek(now, out var job))
            {
                now = jobs[next].Arrival;
                continue;
            }
            check?.Invoke(waiting, now, job);
            queue.Take(now);
            waiting.Remove(job);
            served.Add((job, now));
            now += job.Tokens / speed;
        }
        return served;
    }

    [Property(MaxTest = 60)]
    public bool Sjf_aging_picks_what_a_full_sort_at_that_moment_picks(PositiveInt seed)
    {
        const double thetaAge = 5;
        var ok = true;
        Serve(new AgingShortestPrefillFirst(thetaAge), Jobs(seed.Get, 150, rate: 3), speed: 3000, (waiting, now, picked) =>
        {
            // Algorithm 2 as written: aged (waited ≥ θage) first by arrival, else shortest prompt, ties by arrival.
            var expected = waiting
                .OrderBy(j => now - j.Arrival >= thetaAge ? 0 : 1)
                .ThenBy(j => now - j.Arrival >= thetaAge ? 0 : j.Tokens)
                .ThenBy(j => j.Arrival).ThenBy(j => j.Id).First();
            ok &= expected == picked;
        });
        return ok;
    }

    /// <summary>
    /// vLLM's sjf through the threshold algorithm picks exactly what scoring every waiting request
    /// picks, including on ties (equal prompts arriving together) and after client aborts.
    /// </summary>
    [Property(MaxTest = 60)]
    public bool Vllm_sjf_picks_the_highest_score_a_full_scan_finds(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        // Few distinct lengths and bursty arrivals, so ties in score happen.
        var jobs = Jobs(seed.Get, 150, rate: 2).Select(j => j with { Tokens = random.Next(1, 6) * 8000 }).ToList();
        var ok = true;
        var queue = new VllmShortestJobFirst().CreateQueue<Job>();
        var waiting = new HashSet<Job>();
        var now = 0.0;
        foreach (var job in jobs)
        {
            now = job.Arrival;
            queue.Add(job, new QueueEntry(job.Id, job.Arrival, job.Tokens));
            waiting.Add(job);
            if (random.Next(10) == 0 && waiting.Count > 1)
            {
                var victim = waiting.ElementAt(random.Next(waiting.Count));
                ok &= queue.Remove(victim);
                waiting.Remove(victim);
            }
            if (random.Next(3) != 0) continue;
            queue.TryPeek(now, out var picked);
            var expected = waiting.OrderByDescending(j => VllmShortestJobFirst.Score(new QueueEntry(j.Id, j.Arrival, j.Tokens), now))
                .ThenBy(j => j.Arrival).ThenBy(j => j.Id).First();
            ok &= expected == picked && queue.Take(now) == expected;
            waiting.Remove(expected);
        }
        return ok && queue.Count == waiting.Count;
    }

    /// <summary>
    /// Starvation bound: a request that has waited θage is served no later than θage plus the
    /// time to drain what aged before it (and the one job in service when it aged): aged requests
    /// go strictly by arrival and nothing young overtakes them.
    /// </summary>
    [Property(MaxTest = 60)]
    public bool Sjf_aging_bounds_every_wait(PositiveInt seed)
    {
        const double thetaAge = 5, speed = 3000;
        var jobs = Jobs(seed.Get, 200, rate: 1.2);
        var served = Serve(new AgingShortestPrefillFirst(thetaAge), jobs, speed);
        var longest = jobs.Max(j => j.Tokens) / speed;
        foreach (var (job, start) in served)
        {
            // Work ahead of it once aged: requests that arrived earlier and were still waiting when it aged.
            var agedAt = job.Arrival + thetaAge;
            var drainAhead = served.Where(s => s.Job.Arrival < job.Arrival && s.Start >= agedAt).Sum(s => s.Job.Tokens / speed);
            if (start > agedAt + drainAhead + longest + 1e-9) return false;
        }
        return true;
    }

    [Property(MaxTest = 30)]
    public bool Fair_shares_converge_for_backlogged_tenants(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        var queue = new DeficitRoundRobinFairness(quantumTokens: 1024).CreateQueue<(string Tenant, int Tokens, long Id)>();
        var id = 0L;
        void Refill(string tenant, int min, int max)
        {
            var tokens = random.Next(min, max);
            queue.Add((tenant, tokens, id), new QueueEntry(id, 0, tokens, Tenant: tenant));
            id++;
        }
        for (var i = 0; i < 20; i++)
        {
            Refill("a", 100, 600);
            Refill("b", 1500, 4000);
        }
        var served = new Dictionary<string, long> { ["a"] = 0, ["b"] = 0 };
        for (var i = 0; i < 2000; i++)
        {
            var (tenant, tokens, _) = queue.Take(0);
            served[tenant] += tokens;
            if (tenant == "a") Refill("a", 100, 600);
            else Refill("b", 1500, 4000);
        }
        var share = (double)served["a"] / (served["a"] + served["b"]);
        return Math.Abs(share - 0.5) < 0.05;
    }
}
