using System.Runtime.CompilerServices;
using Strata.Core.Dispatch;
using Strata.Core.Queueing;
using Strata.Engine.Cost;

namespace Strata.Engine;

/// <summary>
/// One simulated data-parallel engine with vLLM V1 scheduler semantics
/// (<c>vllm/v1/core/sched/scheduler.py</c> @ 00024d31): each step serves running requests first (one decode token,
/// or the next prefill chunk), then admits waiting ones in the queue policy's order, under the
/// token budget and <c>max_num_seqs</c>; when KV blocks run out it preempts from the tail of the
/// running list, frees the victim's blocks for recompute, and admits nothing that step.
/// <para>
/// With <see cref="EngineSettings.AsyncScheduling"/> (vLLM 0.19's default) the engine core keeps two batches in flight
/// (<c>max_concurrent_batches</c> 2, <c>EngineCore.step_with_batch_queue</c>): it schedules step k+2 as soon as step k's
/// outputs are processed, while step k+1 runs, treating k+1's tokens as computed. So the batch that starts when a step
/// ends was decided when that step began: it sees the requests that had arrived by then, and the KV blocks and
/// sequence slots of requests that finished in the step just ended are still held. Requests that arrive during a step
/// wait one step more than in a synchronous loop, unless the engine had nothing else to run.
/// </para>
/// </summary>
public sealed class EngineCore
{
    private readonly EngineSettings _settings;
    private readonly IWaitingQueue<SimRequest> _waiting;
    private readonly IRequestObserver _observer;
    private readonly List<SimRequest> _running = [];
    private readonly List<int> _prefixHits = [];
    private readonly List<PrefillChunk> _chunks = [];

    // Async scheduling: arrivals not yet seen by the scheduler, requests whose blocks the next decision still counts,
    // and when the step under way (or just ended) began.
    private readonly List<(SimRequest Request, double Time)> _arrivals = [];
    private readonly List<SimRequest> _finishing = [];
    private bool _stepInFlight;
    private double _stepStart = double.NaN;
    private double _endedStepStart = double.NaN;

    public EngineCore(int index, EngineSettings settings, IWaitingQueue<SimRequest> waiting, IRequestObserver observer, int domains = 1)
    {
        DomainTokens = new int[domains];
        RecentDomainTokens = new double[domains];
        Index = index;
        _settings = settings;
        _waiting = waiting;
        _observer = observer;
        Kv = new KvBlockPool(settings.TotalBlocks, settings.BlockSize, settings.EnablePrefixCaching);
    }

    public int Index { get; }
    public KvBlockPool Kv { get; }
    public int WaitingCount => _waiting.Count + _arrivals.Count;
    public int RunningCount => _running.Count;
    public bool HasWork => _running.Count > 0 || _waiting.Count > 0 || _arrivals.Count > 0 || _finishing.Count > 0;
    public long WaitingPrefillTokens { get; private set; }
    public long Preemptions { get; private set; }
    public long PrefixQueryTokens { get; private set; }
    public long PrefixHitTokens { get; private set; }
    public long ScheduledTokensTotal { get; private set; }
    public int Requests { get; private set; }
    public IReadOnlyList<SimRequest> Running => _running;
    public EngineSettings Settings => _settings;

    /// <summary>Tokens of the step under way per request domain.</summary>
    public int[] DomainTokens { get; }

    /// <summary>Tokens per domain over recent steps (exponentially weighted, ~50 steps): which experts this engine's traffic presses.</summary>
    public double[] RecentDomainTokens { get; }

    /// <summary>The batch of the step under way (or the last one).</summary>
    public BatchShape LastBatch { get; private set; }

    public void Add(SimRequest request, double now)
    {
        Requests++;
        WaitingPrefillTokens += request.RemainingTokens;
        // vLLM's engine core takes new requests in between steps: at once when idle, else when the step under way ends.
        request.QueuedTime = _stepInFlight ? double.NaN : now;
        _arrivals.Add((request, now));
    }

    private void Enqueue(SimRequest request)
    {
        request.QueueEntry = new QueueEntry(request.Id, request.Spec.ArrivalTime, request.PromptTokens,
            CachedPrefixTokens(request), request.Spec.Priority, request.Spec.Tenant);
        _waiting.Add(request, request.QueueEntry);
    }

    /// <summary>Moves the arrivals the scheduler has seen by <paramref name="time"/> into the waiting queue, in arrival order.</summary>
    private void SeeArrivals(double time)
    {
        var kept = 0;
        for (var i = 0; i < _arrivals.Count; i++)
            if (_arrivals[i].Time <= time) Enqueue(_arrivals[i].Request);
            else _arrivals[kept++] = _arrivals[i];
        _arrivals.RemoveRange(kept, _arrivals.Count - kept);
    }

    /// <summary>
    /// Drops a request its client abandoned, wherever it is: out of the waiting queue, or out of
    /// running with its KV blocks freed (they stay cached for prefix hits, as vLLM frees an
    /// aborted request's blocks). Call between steps; false when the engine no longer has it.
    /// </summary>
    public bool Abort(SimRequest request)
    {
        var arrival = _arrivals.FindIndex(a => a.Request == request);
        if (arrival >= 0) _arrivals.RemoveAt(arrival);
        if (arrival >= 0 || _waiting.Remove(request))
        {
            WaitingPrefillTokens -= request.RemainingTokens;
            return true;
        }
        if (!_running.Remove(request)) return false;
        ReleaseBlocks(request);
        return true;
    }

    /// <summary>The engine's state as its stats publisher reports it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public EngineView Snapshot(int index, double kvCapacityTokens)
    {
        long runningPrefill = 0, runningTokens = 0;
        foreach (var request in _running)
        {
            runningPrefill += request.RemainingPrefillTokens;
            runningTokens += request.NumComputedTokens;
        }
        return new EngineView(index, WaitingCount, _running.Count, Kv.Usage, WaitingPrefillTokens,
            runningPrefill, runningTokens, KvCapacityTokens: (long)kvCapacityTokens);
    }

    /// <summary>Forms the step that starts at <paramref name="now"/>; the requests keep their share in <see cref="SimRequest.ScheduledTokens"/>.</summary>
    public BatchShape Schedule(double now)
    {
        foreach (var (request, _) in _arrivals)
            if (double.IsNaN(request.QueuedTime)) request.QueuedTime = now;
        BatchShape batch;
        if (!_settings.AsyncScheduling)
        {
            SeeArrivals(now);
            batch = Form(now);
        }
        else
        {
            // Back to back, this step was decided when the one that just ended began; from idle, now.
            var decided = double.IsNaN(_endedStepStart) ? now : _endedStepStart;
            SeeArrivals(decided);
            batch = Form(decided);
            foreach (var request in _finishing) ReleaseBlocks(request);
            _finishing.Clear();
            _endedStepStart = double.NaN;
            if (batch.IsEmpty)
            {
                // Nothing was decided for this step (vLLM queues an empty batch): the engine core decides again as soon
                // as the ended step's outputs are in, with its finished requests freed and new arrivals taken in.
                SeeArrivals(now);
                batch = Form(now);
            }
        }
        _stepInFlight = !batch.IsEmpty;
        _stepStart = now;
        for (var d = 0; d < DomainTokens.Length; d++) RecentDomainTokens[d] = 0.98 * RecentDomainTokens[d] + DomainTokens[d];
        return batch;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private BatchShape Form(double now)
    {
        var budget = _settings.MaxNumBatchedTokens;
        var batch = default(BatchShape);
        Array.Clear(DomainTokens);
        var preempted = false;

        for (var i = 0; i < _running.Count; i++)
        {
            var request = _running[i];
            var tokens = Math.Min(request.RemainingTokens, budget);
            if (tokens == 0) continue;
            var selfPreempted = false;
            while (!TryAllocate(request, tokens))
            {
                var victim = Victim();
                if (_running.IndexOf(victim) < i)
                {
                    // Already scheduled this step (priority policy): take its tokens back, as vLLM does.
                    budget += victim.ScheduledTokens;
                    batch = Unschedule(batch, victim);
                    i--;
                }
                Preempt(victim);
                preempted = true;
                if (victim == request)
                {
                    selfPreempted = true;
                    break;
                }
            }
            if (selfPreempted) break;
            batch = Add(batch, request, tokens);
            budget -= tokens;
        }

        if (preempted) return Finish(batch);

        // Requests that finished in the step just ended hold their slots until the next decision (async scheduling).
        while (budget > 0 && _running.Count + _finishing.Count < _settings.MaxNumSeqs && _waiting.TryPeek(now, out var request))
        {
            var hitTokens = FindPrefixHits(request);
            var tokens = Math.Min(request.NumTokens - hitTokens, budget);
            if (!TryAdmit(request, tokens)) break;
            _waiting.Take(now);
            WaitingPrefillTokens -= request.RemainingTokens;
            request.NumComputedTokens = hitTokens;
            // vLLM counts a prefix-cache query each time a request is scheduled from waiting.
            PrefixQueryTokens += request.NumTokens;
            PrefixHitTokens += hitTokens;
            if (!request.Admitted)
            {
                request.Admitted = true;
                request.CachedPromptTokens = hitTokens;
                request.FirstScheduledTime = now;
            }
            CacheFullBlocks(request, tokens);
            _running.Add(request);
            batch = Add(batch, request, tokens);
            budget -= tokens;
        }
        return Finish(batch);
    }

    /// <summary>Completes the step's batch with what a cost model needs beyond the sums: each prefill chunk, the decodes' KV range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private BatchShape Finish(BatchShape batch)
    {
        _chunks.Clear();
        int kvMax = 0, kvMin = int.MaxValue;
        foreach (var request in _running)
        {
            if (request.ScheduledTokens == 0) continue;
            if (!request.IsDecoding)
            {
                _chunks.Add(new PrefillChunk(request.ScheduledTokens, request.NumComputedTokens));
                continue;
            }
            var kv = request.NumComputedTokens + 1;
            if (kv > kvMax) kvMax = kv;
            if (kv < kvMin) kvMin = kv;
        }
        return LastBatch = batch with { DecodeContextMax = kvMax, DecodeContextMin = kvMax == 0 ? 0 : kvMin, PrefillChunks = _chunks };
    }

    /// <summary>Applies the step that ended at <paramref name="time"/>: computed KV, sampled tokens, finished requests.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CompleteStep(double time)
    {
        _endedStepStart = _stepInFlight ? _stepStart : double.NaN;
        _stepInFlight = false;
        var kept = 0;
        for (var i = 0; i < _running.Count; i++)
        {
            var request = _running[i];
            if (request.ScheduledTokens > 0)
            {
                request.NumComputedTokens += request.ScheduledTokens;
                ScheduledTokensTotal += request.ScheduledTokens;
                request.ScheduledTokens = 0;
                if (request.NumComputedTokens == request.NumTokens)
                {
                    request.OutputTokens++;
                    _observer.OnToken(request, time);
                    if (request.Finished)
                    {
                        if (_settings.AsyncScheduling) _finishing.Add(request);
                        else ReleaseBlocks(request);
                        _observer.OnFinished(request, time);
                        continue;
                    }
                }
            }
            _running[kept++] = request;
        }
        _running.RemoveRange(kept, _running.Count - kept);
    }

    private BatchShape Add(BatchShape batch, SimRequest request, int tokens)
    {
        request.ScheduledTokens = tokens;
        DomainTokens[request.Domain] += tokens;
        return request.IsDecoding
            ? batch.WithDecode(request.NumComputedTokens + 1)
            : batch.WithPrefill(tokens, request.NumComputedTokens);
    }

    private int QueuedHitBlocks(SimRequest request)
    {
        if (!_settings.EnablePrefixCaching || request.NumComputedTokens > 0) return 0;
        request.Hashes ??= new BlockHashChain(request.Spec, request.Id, _settings.BlockSize);
        // vLLM caps a hit at num_tokens - 1 so at least one token is computed to sample from.
        var maxBlocks = (request.NumTokens - 1) / _settings.BlockSize;
        var blocks = 0;
        while (blocks < maxBlocks && HitBlock(request, blocks) >= 0) blocks++;
        return blocks;
    }

    /// <summary>The cached block holding the request's block <paramref name="index"/>, or -1.</summary>
    private int HitBlock(SimRequest request, int index)
    {
        var hash = request.Hashes![index];
        if (request.Hashes.IsShared(index)) return Kv.Lookup(hash);
        var released = request.ReleasedBlocks;
        return released is not null && index < released.Length ? Kv.Reclaim(released[index], hash) : -1;
    }

    private int CachedPrefixTokens(SimRequest request) => QueuedHitBlocks(request) * _settings.BlockSize;

    /// <summary>Collects the cached blocks a waiting request would reuse; returns the hit in tokens.</summary>
    private int FindPrefixHits(SimRequest request)
    {
        _prefixHits.Clear();
        var blocks = QueuedHitBlocks(request);
        for (var b = 0; b < blocks; b++) _prefixHits.Add(HitBlock(request, b));
        return blocks * _settings.BlockSize;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryAdmit(SimRequest request, int tokens)
    {
        var hitTokens = _prefixHits.Count * _settings.BlockSize;
        var evictableHits = 0;
        foreach (var block in _prefixHits)
            if (Kv.RefCount(block) == 0) evictableHits++;
        var newBlocks = BlocksFor(hitTokens + tokens) - _prefixHits.Count;
        // vLLM 0.19's scheduler_reserve_full_isl: the whole sequence must fit, though only this chunk's blocks are taken now.
        var needed = _settings.ReserveFullSequence ? BlocksFor(request.NumTokens) - _prefixHits.Count : newBlocks;
        if (needed + evictableHits > Kv.FreeBlocks) return false;
        // Room for the whole sequence at once, so decoding never regrows the block table.
        request.Blocks.EnsureCapacity(BlocksFor(request.PromptTokens + request.MaxOutputTokens));
        foreach (var block in _prefixHits)
        {
            Kv.Touch(block);
            request.Blocks.Add(block);
        }
        request.CachedBlockCount = _prefixHits.Count;
        for (var b = 0; b < newBlocks; b++) request.Blocks.Add(Kv.Allocate());
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryAllocate(SimRequest request, int tokens)
    {
        var newBlocks = BlocksFor(request.NumComputedTokens + tokens) - request.Blocks.Count;
        if (newBlocks > Kv.FreeBlocks) return false;
        for (var b = 0; b < newBlocks; b++) request.Blocks.Add(Kv.Allocate());
        CacheFullBlocks(request, tokens);
        return true;
    }

    /// <summary>Registers blocks that this step fills, as vLLM's <c>cache_blocks</c> does at scheduling.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CacheFullBlocks(SimRequest request, int tokens)
    {
        if (!_settings.EnablePrefixCaching) return;
        var full = (request.NumComputedTokens + tokens) / _settings.BlockSize;
        request.Hashes ??= new BlockHashChain(request.Spec, request.Id, _settings.BlockSize);
        for (var b = request.CachedBlockCount; b < full; b++) Kv.Cache(request.Blocks[b], request.Hashes[b], request.Hashes.IsShared(b));
        request.CachedBlockCount = Math.Max(request.CachedBlockCount, full);
    }

    /// <summary>vLLM's choice: the tail of running (last admitted), or under priority scheduling the least urgent, latest arrival.</summary>
    private SimRequest Victim()
    {
        var victim = _running[^1];
        if (!_settings.PreemptLowestPriority) return victim;
        foreach (var r in _running)
            if ((r.Spec.Priority, r.Spec.ArrivalTime).CompareTo((victim.Spec.Priority, victim.Spec.ArrivalTime)) > 0) victim = r;
        return victim;
    }

    private BatchShape Unschedule(BatchShape batch, SimRequest request)
    {
        DomainTokens[request.Domain] -= request.ScheduledTokens;
        return request.IsDecoding
            ? batch.WithoutDecode(request.NumComputedTokens + 1)
            : batch.WithoutPrefill(request.ScheduledTokens, request.NumComputedTokens);
    }

    private void Preempt(SimRequest victim)
    {
        _running.Remove(victim);
        if (_settings.EnablePrefixCaching) victim.ReleasedBlocks = [.. victim.Blocks];
        ReleaseBlocks(victim);
        victim.NumComputedTokens = 0;
        victim.ScheduledTokens = 0;
        victim.Preemptions++;
        Preemptions++;
        WaitingPrefillTokens += victim.RemainingTokens;
        _waiting.AddPreempted(victim, victim.QueueEntry);
    }

    /// <summary>Frees blocks back to front so a prefix's tail is evicted before its head (vLLM's order).</summary>
    private void ReleaseBlocks(SimRequest request)
    {
        for (var b = request.Blocks.Count - 1; b >= 0; b--) Kv.Release(request.Blocks[b]);
        request.Blocks.Clear();
        request.CachedBlockCount = 0;
    }

    private int BlocksFor(int tokens) => (tokens + _settings.BlockSize - 1) / _settings.BlockSize;
}
