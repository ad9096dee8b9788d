using Strata.Core.Queueing;
using Strata.Engine;

namespace Strata.Engine.Tests;

public class EngineCoreTests
{
    private sealed class Recorder : IRequestObserver
    {
        public List<(long Id, double Time)> Tokens { get; } = [];
        public List<long> Finished { get; } = [];
        public void OnToken(SimRequest request, double time) => Tokens.Add((request.Id, time));
        public void OnFinished(SimRequest request, double time) => Finished.Add(request.Id);
    }

    private static (EngineCore Engine, Recorder Recorder) Engine(int blocks = 1000, int maxSeqs = 256, int budget = 2048, bool prefixCaching = true)
    {
        var recorder = new Recorder();
        var engine = new EngineCore(0, new EngineSettings(maxSeqs, budget, 16, blocks, prefixCaching),
            new FirstComeFirstServed().CreateQueue<SimRequest>(), recorder);
        return (engine, recorder);
    }

    private static SimRequest Request(long id, int prompt, int output, params PrefixSegment[] prefix) =>
        new(id, new RequestSpec(0, prompt, output) { Prefix = prefix }, 0);

    [Fact]
    public void Chunked_prefill_fills_the_token_budget_in_queue_order()
    {
        var (engine, _) = Engine(budget: 2048);
        var a = Request(0, 1500, 5);
        var b = Request(1, 1500, 5);
        engine.Add(a, 0);
        engine.Add(b, 0);

        var batch = engine.Schedule(0);

        Assert.Equal(2048, batch.Tokens);
        Assert.Equal(1500, a.ScheduledTokens);
        Assert.Equal(548, b.ScheduledTokens);
    }

    [Fact]
    public void Running_requests_go_first_then_admissions_up_to_max_num_seqs()
    {
        var (engine, recorder) = Engine(maxSeqs: 2);
        var a = Request(0, 100, 5);
        engine.Add(a, 0);
        engine.Schedule(0);
        engine.CompleteStep(1);
        Assert.Single(recorder.Tokens);

        engine.Add(Request(1, 100, 5), 1);
        engine.Add(Request(2, 100, 5), 1);
        var batch = engine.Schedule(1);

        Assert.Equal(1, batch.DecodeSeqs);
        Assert.Equal(1, batch.PrefillSeqs);
        Assert.Equal(2, engine.RunningCount);
        Assert.Equal(1, engine.WaitingCount);
    }

    [Fact]
    public void Out_of_blocks_preempts_the_tail_of_running_and_admits_nothing_that_step()
    {
        // 9 blocks: two 64-token prompts take 4 blocks each (+1 each for the first decode token).
        var (engine, _) = Engine(blocks: 9);
        var first = Request(0, 64, 40);
        var second = Request(1, 64, 40);
        engine.Add(first, 0);
        engine.Add(second, 0);
        engine.Schedule(0);
        engine.CompleteStep(1);
        engine.Add(Request(2, 16, 4), 1);

        var batch = engine.Schedule(1);

        Assert.Equal(1, engine.Preemptions);
        Assert.Equal(1, second.Preemptions);
        Assert.Equal(0, second.NumComputedTokens);
        Assert.Equal(1, batch.DecodeSeqs);
        Assert.Equal(0, batch.PrefillSeqs); // no admissions in a step that preempted
        Assert.Equal([first], engine.Running);
    }

    [Fact]
    public void A_finished_requests_blocks_serve_a_later_prefix_hit_capped_below_the_prompt()
    {
        var (engine, recorder) = Engine();
        var system = new PrefixSegment(77, 64);
        engine.Add(Request(0, 64, 1, system), 0);
        engine.Schedule(0);
        engine.CompleteStep(1);
        Assert.Equal([0L], recorder.Finished);

        // Same 64 tokens: 4 full blocks cached, but a hit must leave one token to compute.
        var same = Request(1, 64, 1, system);
        engine.Add(same, 1);
        var batch = engine.Schedule(1);
        Assert.Equal(48, same.CachedPromptTokens);
        Assert.Equal(16, batch.PrefillTokens);

        // A longer prompt with the same head hits all 4 blocks.
        engine.CompleteStep(2);
        var longer = Request(2, 100, 1, new PrefixSegment(77, 64), new PrefixSegment(5, 36));
        engine.Add(longer, 2);
        engine.Schedule(2);
        Assert.Equal(64, longer.CachedPromptTokens);
        Assert.Equal(64 + 48, engine.PrefixHitTokens);
    }

    [Fact]
    public void Tokens_come_one_per_step_after_the_prefill_and_the_request_finishes_at_its_output_length()
    {
        var (engine, recorder) = Engine(budget: 64);
        var r = Request(0, 100, 3);
        engine.Add(r, 0);
        var time = 0.0;
        while (engine.HasWork)
        {
            engine.Schedule(time);
            engine.CompleteStep(++time);
        }
        // 100 prompt tokens in chunks of 64 + 36: first token at step 2, then one per step.
        Assert.Equal([2.0, 3.0, 4.0], recorder.Tokens.Select(t => t.Time));
        Assert.Equal([0L], recorder.Finished);
        Assert.Equal(engine.Kv.TotalBlocks, engine.Kv.FreeBlocks);
    }

    [Fact]
    public void A_preempted_request_recomputes_only_what_was_evicted_of_its_own_blocks()
    {
        // Same squeeze as above: the second request is preempted; its unique blocks go back to the
        // free queue with their hashes, and the first request's decodes evict some of them.
        var (engine, recorder) = Engine(blocks: 9);
        var first = Request(0, 64, 40);
        var second = Request(1, 64, 40);
        engine.Add(first, 0);
        engine.Add(second, 0);
        var time = 0.0;
        while (engine.HasWork)
        {
            engine.Schedule(time);
            engine.CompleteStep(++time);
        }

        Assert.Equal(1, second.Preemptions);
        Assert.Equal([0L, 1L], recorder.Finished);
        // Its prompt was 4 blocks; at least one survived eviction and was hit, not recomputed.
        Assert.InRange(engine.PrefixHitTokens, 16, 48);
        Assert.Equal(engine.Kv.TotalBlocks, engine.Kv.FreeBlocks);
    }

    [Fact]
    public void Under_priority_scheduling_the_least_urgent_request_is_preempted_not_the_tail()
    {
        var recorder = new Recorder();
        var engine = new EngineCore(0, new EngineSettings(256, 2048, 16, 14, true, PreemptLowestPriority: true),
            new PriorityScheduling().CreateQueue<SimRequest>(), recorder);
        // Three 64-token prompts (4 blocks each) in 14 blocks; the least urgent one runs first.
        var lax = new SimRequest(0, new RequestSpec(0, 64, 40) { Priority = 5 }, 0);
        var urgent = new SimRequest(1, new RequestSpec(0, 64, 40) { Priority = 0 }, 0);
        var tail = new SimRequest(2, new RequestSpec(0, 64, 40) { Priority = 1 }, 0);
        engine.Add(lax, 0);
        engine.Schedule(0);
        engine.CompleteStep(1);
        engine.Add(urgent, 1);
        engine.Add(tail, 1);
        engine.Schedule(1);
        engine.CompleteStep(2);
        Assert.Equal([lax, urgent, tail], engine.Running);

        // The next step needs one more block each but two are free: the least urgent request goes,
        // although it was scheduled first in this step and is not the tail.
        var batch = engine.Schedule(2);
        Assert.Equal(1, lax.Preemptions);
        Assert.Equal(0, tail.Preemptions);
        Assert.Equal([urgent, tail], engine.Running);
        Assert.Equal(2, batch.Tokens);
    }
}
