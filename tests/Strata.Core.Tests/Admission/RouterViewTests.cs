using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Dispatch;

namespace Strata.Core.Tests.Admission;

public sealed class RouterViewTests
{
    private static EngineView Snapshot(int waiting, int running, long waitingPrefill = 0) => new(0, waiting, running, 0.5, waitingPrefill, 0, 0, KvCapacityTokens: 1000);

    [Fact]
    public void A_gateway_counts_what_it_sent_after_the_snapshot_until_the_answer_ends()
    {
        var view = new RouterView(1, SignalFields.QueueDepth | SignalFields.KvUsage);
        var before = view.Dispatched(0, 1, 100, now: 1);
        view[0].Publish(Snapshot(1, 0), takenAt: 2); // the scrape was sent at 2 and includes request 1
        var after = view.Dispatched(0, 2, 300, now: 3);

        var seen = view.View(0, now: 4);
        Assert.Equal(1, seen.InFlight);
        Assert.Equal(300, seen.InFlightPrefillTokens);
        Assert.Equal(2, seen.SignalAge);
        Assert.Equal(2, view[0].Outstanding);

        after.Finish();
        Assert.Equal(0, view.View(0, now: 5).InFlight);
        before.Finish();
        Assert.Equal(0, view[0].Outstanding);
    }

    [Fact]
    public void Vllms_dp_client_counts_what_it_sent_until_the_next_snapshot_finished_or_not()
    {
        var view = new RouterView(1, SignalFields.QueueDepth | SignalFields.PrefillTokens, InFlightAccounting.UntilSnapshot);
        var request = view.Dispatched(0, 1, 100, now: 1);
        request.Finish();

        Assert.Equal(1, view.View(0, now: 1.5).InFlight);
        Assert.Equal(0, view[0].Outstanding);
        view[0].Publish(Snapshot(0, 0), takenAt: 2);
        Assert.Equal(0, view.View(0, now: 2).InFlight);
    }

    [Fact]
    public void Without_engine_prefill_counts_the_router_estimates_them_from_its_own_requests()
    {
        var scraped = new RouterView(1, SignalFields.QueueDepth | SignalFields.KvUsage);
        var exact = new RouterView(1, SignalFields.QueueDepth | SignalFields.KvUsage | SignalFields.PrefillTokens);
        foreach (var view in new[] { scraped, exact })
        {
            var started = view.Dispatched(0, 1, 1000, now: 0);
            view.Dispatched(0, 2, 400, now: 0);
            view[0].Publish(Snapshot(1, 1, waitingPrefill: 777), takenAt: 1);
            view.Dispatched(0, 3, 50, now: 2);
            started.MarkStarted();
            started.AddOutputTokens(20);
        }

        var estimated = scraped.View(0, now: 3);
        Assert.Equal(400, estimated.WaitingPrefillTokens); // unstarted 450, less the 50 counted in flight
        Assert.Equal(1020, estimated.RunningTokens);
        Assert.Equal(450, estimated.PendingPrefillTokens);
        Assert.Equal(777, exact.View(0, now: 3).WaitingPrefillTokens);
    }

    /// <summary>
    /// The ledger's running totals (unstarted prompts, started requests' prompt and output) equal a walk over its
    /// requests after any sequence of dispatches, starts, streamed tokens, finishes and snapshots.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property The_ledgers_totals_match_its_requests() =>
        Prop.ForAll((from op in Gen.Choose(0, 4) from pick in Gen.Choose(0, 1000) select (op, pick)).ArrayOf().ToArbitrary(), ops =>
        {
            var view = new RouterView(1, SignalFields.QueueDepth);
            var requests = new List<RoutedRequest>();
            var finished = new HashSet<RoutedRequest>();
            var now = 0.0;
            foreach (var (op, pick) in ops)
            {
                now += 1;
                var live = requests.Where(r => !finished.Contains(r)).ToList();
                switch (op)
                {
                    case 0: requests.Add(view.Dispatched(0, requests.Count, 1 + pick % 4000, now)); break;
                    case 1 when live.Count > 0: live[pick % live.Count].MarkStarted(); break;
                    case 2 when live.Count > 0: live[pick % live.Count].AddOutputTokens(1 + pick % 3); break;
                    case 3 when live.Count > 0: live[pick % live.Count].Finish(); finished.Add(live[pick % live.Count]); break;
                    case 4: view[0].Publish(new EngineView(0, 0, 0, 0, 0, 0, 0), now - pick % 3); break;
                }
                var seen = view.View(0, now);
                live = requests.Where(r => !finished.Contains(r)).ToList();
                var unstarted = live.Where(r => !r.Started).Sum(r => (long)r.PromptTokens);
                var running = live.Where(r => r.Started).Sum(r => (long)r.PromptTokens + r.OutputTokens);
                if (seen.RunningTokens != running || seen.WaitingPrefillTokens != Math.Max(0, unstarted - seen.InFlightPrefillTokens)) return false;
            }
            return true;
        });
}
