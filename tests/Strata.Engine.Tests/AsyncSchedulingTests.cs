using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Queueing;

namespace Strata.Engine.Tests;

/// <summary>
/// vLLM 0.19's async scheduling (<c>EngineCore.step_with_batch_queue</c> with two batches in flight): the step that starts
/// when one ends was decided when that one began. Each test works one schedule out by hand against the synchronous loop.
/// </summary>
public class AsyncSchedulingTests
{
    private sealed class Finishes : IRequestObserver
    {
        public List<long> Finished { get; } = [];
        public void OnToken(SimRequest request, double time) { }
        public void OnFinished(SimRequest request, double time) => Finished.Add(request.Id);
    }

    private static EngineCore Engine(bool async, int maxSeqs = 256, int blocks = 1000) =>
        new(0, new EngineSettings(maxSeqs, 2048, 16, blocks, EnablePrefixCaching: true, AsyncScheduling: async),
            new FirstComeFirstServed().CreateQueue<SimRequest>(), new Finishes());

    private static SimRequest Request(long id, int prompt, int output, double arrival = 0) => new(id, new RequestSpec(arrival, prompt, output), 0);

    [Theory]
    [InlineData(false)] // synchronous: decided at 1, when the step it arrived in ended; it joins the step at 1
    [InlineData(true)]  // async: the step at 1 was decided at 0, before it came; it joins the step at 2
    public void A_request_that_arrives_during_a_step_joins_one_step_later_with_async_scheduling(bool async)
    {
        var engine = Engine(async);
        var first = Request(0, 100, 10);
        engine.Add(first, 0);
        engine.Schedule(0);                       // step [0, 1): the first prompt
        var late = Request(1, 100, 10, arrival: 0.5);
        engine.Add(late, 0.5);
        engine.CompleteStep(1);

        var second = engine.Schedule(1);          // step [1, 2)
        engine.CompleteStep(2);
        engine.Schedule(2);                       // step [2, 3)

        Assert.Equal(async ? 0 : 1, second.PrefillSeqs);
        Assert.Equal(1, second.DecodeSeqs);
        Assert.Equal(1.0, late.QueuedTime);       // the engine core takes it in when the step under way ends, either way
        // vLLM stamps scheduled_ts when it decides: at 1 for the step that starts at 2.
        Assert.Equal(1.0, late.FirstScheduledTime);
        Assert.Equal(async ? 100 : 101, late.NumComputedTokens + late.ScheduledTokens);
    }

    [Fact]
    public void An_idle_engine_takes_a_request_in_and_schedules_it_at_once()
    {
        var engine = Engine(async: true);
        var request = Request(0, 100, 10, arrival: 3);
        engine.Add(request, 3);

        var batch = engine.Schedule(3);

        Assert.Equal(100, batch.Tokens);
        Assert.Equal(3.0, request.QueuedTime);
        Assert.Equal(3.0, request.FirstScheduledTime);
    }

    [Fact]
    public void A_request_that_finished_in_the_ended_step_holds_its_slot_for_the_decision_made_before_it_ended()
    {
        // max_num_seqs 2: `done` (one output token) and `long` run; `waiting` queues from the start.
        var engine = Engine(async: true, maxSeqs: 2);
        var done = Request(0, 32, 1);
        var longer = Request(1, 32, 50);
        var waiting = Request(2, 32, 5);
        foreach (var r in new[] { done, longer, waiting }) engine.Add(r, 0);
        engine.Schedule(0);
        engine.CompleteStep(1);                   // `done` finishes here

        var decidedAtZero = engine.Schedule(1);   // decided at 0: `done` still held its slot
        engine.CompleteStep(2);
        var decidedAtOne = engine.Schedule(2);

        Assert.Equal(1, decidedAtZero.DecodeSeqs);
        Assert.Equal(0, decidedAtZero.PrefillSeqs);
        Assert.Equal(1, decidedAtOne.PrefillSeqs);
        Assert.Equal(32, waiting.NumComputedTokens + waiting.ScheduledTokens);
    }

    [Fact]
    public void A_finished_requests_blocks_are_freed_only_after_the_next_decision()
    {
        var engine = Engine(async: true, blocks: 100);
        var request = Request(0, 64, 1);
        engine.Add(request, 0);
        engine.Schedule(0);
        var held = engine.Kv.FreeBlocks;

        engine.CompleteStep(1);
        Assert.Equal(held, engine.Kv.FreeBlocks);
        engine.Schedule(1);

        Assert.Equal(100, engine.Kv.FreeBlocks);
    }

    [Fact]
    public void When_the_early_decision_is_empty_the_engine_decides_again_with_the_ended_steps_outputs()
    {
        // max_num_seqs 1: at 0 the decision for the step at 1 finds `first` still holding the only slot; vLLM queues an
        // empty batch and decides again once `first`'s output is in, so `second` still starts at 1.
        var engine = Engine(async: true, maxSeqs: 1);
        var first = Request(0, 32, 1);
        var second = Request(1, 32, 3);
        engine.Add(first, 0);
        engine.Add(second, 0);
        engine.Schedule(0);
        engine.CompleteStep(1);

        var batch = engine.Schedule(1);

        Assert.Equal(32, batch.Tokens);
        Assert.Equal(1.0, second.FirstScheduledTime);
    }

    /// <summary>
    /// Whatever the arrivals and lengths, the async engine serves every request, never runs more than
    /// <c>max_num_seqs</c> (counting the finished ones whose slots it still holds), never schedules a request in a step
    /// decided before it was taken in, and ends with every KV block free.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Every_request_is_served_within_the_limits_and_never_before_it_came()
    {
        var requests = Gen.Choose(1, 600).Zip(Gen.Choose(1, 40)).Zip(Gen.Choose(0, 300))
            .Select(t => (Prompt: t.Item1.Item1, Output: t.Item1.Item2, ArrivalCentis: t.Item2)).ListOf().Select(l => l.Take(30).ToArray());
        return Prop.ForAll(requests.ToArbitrary(), specs =>
        {
            var observer = new Finishes();
            var engine = new EngineCore(0, new EngineSettings(4, 256, 16, 400, true, AsyncScheduling: true),
                new FirstComeFirstServed().CreateQueue<SimRequest>(), observer);
            var pending = specs.Select((s, i) => Request(i, s.Prompt, s.Output, s.ArrivalCentis / 100.0)).OrderBy(r => r.Spec.ArrivalTime).ToList();
            var all = pending.ToArray();
            var now = 0.0;
            for (var step = 0; step < 10_000 && (pending.Count > 0 || engine.HasWork); step++)
            {
                // Arrivals before the step's start are added before it is scheduled; later ones come during it.
                while (pending.Count > 0 && pending[0].Spec.ArrivalTime <= now) Take(pending, engine);
                var batch = engine.Schedule(now);
                if (batch.IsEmpty)
                {
                    if (pending.Count == 0) break;
                    now = Math.Max(now, pending[0].Spec.ArrivalTime);
                    continue;
                }
                if (engine.RunningCount > 4) return false;
                var end = now + 0.05;
                while (pending.Count > 0 && pending[0].Spec.ArrivalTime < end) Take(pending, engine);
                engine.CompleteStep(end);
                now = end;
            }
            engine.Schedule(now); // the last decision frees the last finished requests' blocks
            return observer.Finished.Count == all.Length
                && all.All(r => r.FirstScheduledTime >= r.QueuedTime && r.QueuedTime >= r.Spec.ArrivalTime)
                && engine.Kv.FreeBlocks == engine.Kv.TotalBlocks;
        });

        static void Take(List<SimRequest> pending, EngineCore engine)
        {
            engine.Add(pending[0], pending[0].Spec.ArrivalTime);
            pending.RemoveAt(0);
        }
    }
}
