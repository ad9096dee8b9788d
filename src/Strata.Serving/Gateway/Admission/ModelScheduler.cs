using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Text;
using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;
using Strata.Core.Queueing;
using Strata.Serving.Gateway.Backends;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Metrics;

namespace Strata.Serving.Gateway.Admission;

/// <summary>
/// Admission and dispatch for one model (docs/gateway.md, "Admission"). A request goes straight to
/// an engine when its queue is empty and some healthy engine runs fewer than
/// <c>max_in_flight</c> of the gateway's requests — vLLM's DP router dispatches immediately the
/// same way — and otherwise waits in a bounded queue ordered by the model's Strata.Core queue
/// policy, leaving it when a request finishes and the dispatch policy places it. Engines at their
/// limit, unhealthy, or already failed by the request are shown to the dispatch policy as
/// unhealthy, so any policy works unchanged — except that with every engine of the model out of
/// the pool, all count as healthy again (panic mode, <see cref="Config.HealthSettings.Panic"/>).
/// One lock serialises queue and policy, which keep state (prefix index, stickiness) and are not
/// thread-safe.
/// </summary>
public sealed class ModelScheduler
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly GatewayMetrics _metrics;
    private readonly HashSet<Waiter> _waiting = [];
    private readonly DrainRate _drain;
    private ModelSettings _settings;
    private bool _panic;
    private IWaitingQueue<Waiter> _queue;
    private IEngineSelector _selector;
    private volatile PrefixBlockHasher? _hasher;
    private Backend[] _backends = [];
    private int _running;
    private EngineView[] _views = [];

    /// <param name="panic">Use every engine when all are out of the pool (<see cref="Config.HealthSettings.Panic"/>).</param>
    public ModelScheduler(ModelSettings settings, IReadOnlyList<Backend> backends, bool panic, TimeProvider time, long epoch, GatewayMetrics metrics)
    {
        (_time, _epoch, _metrics) = (time, epoch, metrics);
        _drain = new DrainRate(time);
        Configure(settings, backends, panic);
    }

    public string Name => _settings.Name;

    public ModelSettings Settings => _settings;

    public IReadOnlyList<Backend> Backends => _backends;

    /// <summary>Seconds since the gateway started: the <c>now</c> every policy is given.</summary>
    public double Seconds(long timestamp) => _time.GetElapsedTime(_epoch, timestamp).TotalSeconds;

    /// <summary>
    /// Applies a (re)loaded model section: new policies (a reload starts their prefix index and
    /// stickiness afresh, since engine indices may have moved), new backends, and the waiting
    /// requests carried over into the new queue in arrival order.
    /// </summary>
    [MemberNotNull(nameof(_settings), nameof(_queue), nameof(_selector))]
    public void Configure(ModelSettings settings, IReadOnlyList<Backend> backends, bool panic)
    {
        var queue = Policies.Queue.Create(settings.Queue.Policy).CreateQueue<Waiter>();
        var selector = Policies.Dispatch.Create(settings.Dispatch);
        lock (_lock)
        {
            foreach (var waiter in _waiting.OrderBy(w => w.Ticket.Id)) queue.Add(waiter, waiter.Ticket.Entry);
            (_settings, _queue, _selector, _panic) = (settings, queue, selector, panic);
            _hasher = selector is IPrefixAwareSelector prefix ? new PrefixBlockHasher(prefix.Affinity.BlockSize, ModelSeed(settings.Name)) : null;
            _backends = [.. backends];
            _views = new EngineView[_backends.Length];
        }
        Pump();
    }

    /// <summary>
    /// Places the request on an engine, waiting in the queue if every eligible engine is full.
    /// Throws <see cref="AdmissionRejectedException"/> when the queue is full, the wait exceeds the
    /// queue TTL, or no untried healthy engine is left; <see cref="OperationCanceledException"/>
    /// when the client leaves while waiting.
    /// </summary>
    public async Task<BackendLease> AdmitAsync(AdmissionTicket ticket, CancellationToken cancel)
    {
        ticket.DispatchRequest(_hasher); // hash the prompt outside the lock
        Waiter waiter;
        TimeSpan ttl;
        lock (_lock)
        {
            if (_queue.Count == 0 && TryDispatch(ticket, out var lease)) return lease;
            var inPanic = InPanic();
            if (!Array.Exists(_backends, b => (inPanic || b.Health.IsHealthy) && !ticket.Tried.Contains(b)))
                throw ticket.Tried.Count == 0
                    ? new AdmissionRejectedException(AdmissionRejection.NoBackend, $"No healthy engine serves '{Name}' right now; retry later.")
                    : new AdmissionRejectedException(AdmissionRejection.EveryBackendFailed, $"Every engine of '{Name}' that could take this request failed it.");
            if (_queue.Count >= _settings.Queue.MaxLength)
                throw new AdmissionRejectedException(AdmissionRejection.QueueFull, $"The queue of '{Name}' is full ({_settings.Queue.MaxLength} waiting); retry later.", RetryAfter());
            // A tenant's share of the queue, so one that floods it leaves room for the others.
            var share = Math.Max(1, (int)(ticket.QueueShare * _settings.Queue.MaxLength));
            if (ticket.Tenant is { } tenant && share < _settings.Queue.MaxLength && _waiting.Count(w => w.Ticket.Tenant == tenant) >= share)
                throw new AdmissionRejectedException(AdmissionRejection.QueueFull, $"This API key's share of the queue of '{Name}' is full ({share} waiting, its queue_share); retry later.", RetryAfter());
            waiter = new Waiter(ticket);
            _queue.Add(waiter, ticket.Entry);
            _waiting.Add(waiter);
            _metrics.QueueLength(Name, _queue.Count);
            ttl = _settings.Queue.Ttl - _time.GetElapsedTime(ticket.ArrivedAt);
        }
        try
        {
            return await waiter.Lease.Task.WaitAsync(ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero, _time, cancel);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (Withdraw(waiter))
                {
                    if (e is TimeoutException)
                        throw new AdmissionRejectedException(AdmissionRejection.QueueTimeout, $"The request waited {_settings.Queue.Ttl.TotalSeconds:0.###} s in the queue of '{Name}' without an engine freeing up; retry later.", RetryAfter());
                    throw;
                }
            }
            // Dispatched in the instant the wait ended: keep the engine unless the client left.
            var lease = await waiter.Lease.Task;
            if (!cancel.IsCancellationRequested) return lease;
            lease.Release(LeaseEnd.NoVerdict);
            throw;
        }
    }

    /// <summary>Dispatches waiting requests while engines have room; called when one finishes and on every scrape tick.</summary>
    public void Pump()
    {
        lock (_lock)
        {
            var now = Seconds(_time.GetTimestamp());
            while (_queue.TryPeek(now, out var head) && TryDispatch(head.Ticket, out var lease))
            {
                _queue.Take(now);
                _waiting.Remove(head);
                head.Lease.SetResult(lease);
            }
            _metrics.QueueLength(Name, _queue.Count);
        }
    }

    private bool TryDispatch(AdmissionTicket ticket, out BackendLease lease)
    {
        lease = null!;
        var any = false;
        var inPanic = InPanic();
        for (var i = 0; i < _backends.Length; i++)
        {
            var candidate = _backends[i];
            var eligible = (inPanic || candidate.Health.IsHealthy) && candidate.InFlight < _settings.MaxInFlightPerBackend && !ticket.Tried.Contains(candidate);
            any |= eligible;
            _views[i] = candidate.View(i, eligible);
        }
        if (!any) return false;
        var nowStamp = _time.GetTimestamp();
        var chosen = _selector.Route(ticket.DispatchRequest(_hasher), _views, Seconds(nowStamp));
        if (chosen < 0) return false;
        var backend = _backends[chosen];
        lease = new BackendLease(backend, ticket.PromptTokens, nowStamp, OnReleased);
        _running++;
        _metrics.Dispatched(Name, _selector.Name, backend.Name, _time.GetElapsedTime(ticket.ArrivedAt, nowStamp));
        _metrics.InFlight(backend.Name, backend.InFlight);
        return true;
    }

    private void OnReleased(BackendLease lease)
    {
        _metrics.InFlight(lease.Backend.Name, lease.Backend.InFlight);
        lock (_lock)
        {
            _drain.OnRelease(_time.GetTimestamp());
            if (--_running == 0 && _queue.Count == 0) _drain.Reset();
        }
        Pump();
    }

    /// <summary>Panic mode: it is on and no engine of the model is in the pool, so every one is a candidate. Call under the lock.</summary>
    private bool InPanic() => _panic && !Array.Exists(_backends, b => b.Health.IsHealthy);

    /// <summary>Seconds until the requests now waiting, plus the one turned away, would have left at the recent rate. Call under the lock.</summary>
    private int RetryAfter() => _drain.RetryAfterSeconds(_queue.Count + 1, _settings.Queue.Ttl);

    private bool Withdraw(Waiter waiter)
    {
        if (!_waiting.Remove(waiter)) return false;
        _queue.Remove(waiter);
        _metrics.QueueLength(Name, _queue.Count);
        return true;
    }

    // Prefix hashes start from the model name, as vLLM and llm-d seed theirs, so two models' prompts never share blocks.
    private static ulong ModelSeed(string model) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(model));

    private sealed class Waiter(AdmissionTicket ticket)
    {
        public AdmissionTicket Ticket { get; } = ticket;

        // Completed under the scheduler's lock; continuations must not run there.
        public TaskCompletionSource<BackendLease> Lease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
