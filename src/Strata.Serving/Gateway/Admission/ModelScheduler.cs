using System.IO.Hashing;
using System.Text;
using Strata.Core.Admission;
using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;
using Strata.Core.Queueing;
using Strata.Serving.Gateway.Backends;
using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Metrics;
using Strata.Serving.Gateway.Signals;

namespace Strata.Serving.Gateway.Admission;

/// <summary>
/// Admission and dispatch for one model (docs/gateway.md, "Admission"): Strata.Core's
/// <see cref="AdmissionController{T}"/> over the model's backends, the same class the simulator's <c>gateway:</c>
/// stage runs, driven here by requests arriving, engines releasing them, health and scrapes. This class adds what
/// only a server has: waiting on a task with the queue's TTL, the client leaving, error messages and Retry-After,
/// metrics, and reloads. One lock serialises the controller and its policies, which keep state (prefix index,
/// stickiness) and are not thread-safe.
/// </summary>
public sealed class ModelScheduler : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly GatewayMetrics _metrics;
    private readonly DrainRate _drain;
    private readonly PolicyCatalogs _catalogs;
    private ModelSettings _settings = null!;
    private AdmissionController<Waiter> _controller = null!;
    private volatile PrefixBlockHasher? _hasher;
    private Backend[] _backends = [];
    private KvEventFeed? _kvEvents;
    private int _running;

    /// <param name="panic">Use every engine when all are out of the pool (<see cref="Config.HealthSettings.Panic"/>).</param>
    /// <param name="catalogs">The policies the model's names are built from.</param>
    public ModelScheduler(ModelSettings settings, IReadOnlyList<Backend> backends, bool panic, TimeProvider time, long epoch, GatewayMetrics metrics,
        PolicyCatalogs catalogs)
    {
        (_time, _epoch, _metrics, _catalogs) = (time, epoch, metrics, catalogs);
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
    public void Configure(ModelSettings settings, IReadOnlyList<Backend> backends, bool panic)
    {
        var queue = _catalogs.Queue.Create(settings.Queue.Policy).CreateQueue<Waiter>();
        var selector = _catalogs.Dispatch.Create(settings.Dispatch);
        var view = new RouterView(backends.Select(b => b.Ledger).ToArray(), settings.Supplied);
        var controller = new AdmissionController<Waiter>(new AdmissionLimits(settings.MaxInFlightPerBackend, settings.Queue.MaxLength, panic), queue, selector, view);
        KvEventFeed? replaced;
        lock (_lock)
        {
            if (_controller is { } old)
                foreach (var waiter in old.Waiting.OrderBy(w => w.Ticket.Id)) controller.Carry(waiter);
            (_settings, _controller) = (settings, controller);
            _hasher = selector is IPrefixAwareSelector prefix ? new PrefixBlockHasher(prefix.Affinity.BlockSize, ModelSeed(settings.Name)) : null;
            _backends = [.. backends];
            replaced = _kvEvents;
            _kvEvents = selector is IPrefixAwareSelector { Affinity.Mode: PrefixIndexMode.Precise } precise
                ? new KvEventFeed(_backends, precise.Affinity, _hasher!, _lock)
                : null;
        }
        // Outside the lock: stopping a subscriber joins its thread, which may be waiting for the lock to apply a batch.
        replaced?.Dispose();
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
        var waiter = new Waiter(this, ticket);
        TimeSpan ttl;
        lock (_lock)
        {
            var nowStamp = _time.GetTimestamp();
            SyncBackends();
            var admission = _controller.Arrive(waiter, Seconds(nowStamp));
            if (admission.Routed is { } routed) return Lease(waiter, routed, nowStamp);
            if (admission.Rejection is { } rejection) throw Rejected(rejection, ticket);
            _metrics.QueueLength(Name, _controller.QueueLength);
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
                if (_controller.Withdraw(waiter))
                {
                    _metrics.QueueLength(Name, _controller.QueueLength);
                    if (e is TimeoutException) throw Rejected(AdmissionRejection.QueueTimeout, ticket);
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
            var nowStamp = _time.GetTimestamp();
            SyncBackends();
            while (_controller.TryDispatchNext(Seconds(nowStamp), out var waiter, out var routed))
                waiter.Lease.SetResult(Lease(waiter, routed, nowStamp));
            _metrics.QueueLength(Name, _controller.QueueLength);
        }
    }

    /// <summary>The model's KV-event feed, when its dispatch policy keeps a precise prefix index.</summary>
    public KvEventFeed? KvEvents => _kvEvents;

    /// <summary>Health, scrapes and KV-event feeds as of now, into what the controller reads. Call under the lock.</summary>
    private void SyncBackends()
    {
        foreach (var backend in _backends) backend.SyncLedger(Seconds);
        _kvEvents?.Sync();
    }

    /// <summary>Stops the model's KV-event subscribers (a reload that drops the model, or shutdown).</summary>
    public void Dispose()
    {
        KvEventFeed? feed;
        lock (_lock) (feed, _kvEvents) = (_kvEvents, null);
        feed?.Dispose(); // outside the lock, as in Configure
    }

    /// <summary>The controller placed the request: the lease forwards it. Call under the lock.</summary>
    private BackendLease Lease(Waiter waiter, RoutedRequest routed, long nowStamp)
    {
        var backend = _backends[routed.Engine];
        var controller = _controller;
        var lease = new BackendLease(backend, routed, nowStamp, (lease, end) => OnReleased(controller, waiter, lease, end));
        _running++;
        _metrics.Dispatched(Name, controller.Selector.Name, backend.Name, _time.GetElapsedTime(waiter.Ticket.ArrivedAt, nowStamp));
        _metrics.InFlight(backend.Name, backend.InFlight);
        return lease;
    }

    private void OnReleased(AdmissionController<Waiter> controller, Waiter waiter, BackendLease lease, LeaseEnd end)
    {
        lock (_lock)
        {
            // Failed before its first byte, it will be retried elsewhere: the policy forgets this route.
            if (end == LeaseEnd.EngineFailed && lease.FirstByteAt == 0) controller.Abandoned(waiter, lease.Routed);
            else controller.Finished(lease.Routed);
            _drain.OnRelease(_time.GetTimestamp());
            if (--_running == 0 && _controller.QueueLength == 0) _drain.Reset();
        }
        _metrics.InFlight(lease.Backend.Name, lease.Backend.InFlight);
        Pump();
    }

    /// <summary>The rejection as the client reads it. Call under the lock.</summary>
    private AdmissionRejectedException Rejected(AdmissionRejection reason, AdmissionTicket ticket) => reason switch
    {
        AdmissionRejection.NoBackend => new(reason, $"No healthy engine serves '{Name}' right now; retry later."),
        AdmissionRejection.EveryBackendFailed => new(reason, $"Every engine of '{Name}' that could take this request failed it."),
        AdmissionRejection.QueueShareFull => new(reason,
            $"This API key's share of the queue of '{Name}' is full ({_controller.Limits.QueueSlots(ticket.QueueShare)} waiting, its queue_share); retry later.", RetryAfter()),
        AdmissionRejection.QueueTimeout => new(reason,
            $"The request waited {_settings.Queue.Ttl.TotalSeconds:0.###} s in the queue of '{Name}' without an engine freeing up; retry later.", RetryAfter()),
        _ => new(reason, $"The queue of '{Name}' is full ({_settings.Queue.MaxLength} waiting); retry later.", RetryAfter()),
    };

    /// <summary>Seconds until the requests now waiting, plus the one turned away, would have left at the recent rate. Call under the lock.</summary>
    private int RetryAfter() => _drain.RetryAfterSeconds(_controller.QueueLength + 1, _settings.Queue.Ttl);

    // Prefix hashes start from the model name, as vLLM and llm-d seed theirs, so two models' prompts never share blocks.
    private static ulong ModelSeed(string model) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(model));

    /// <summary>A ticket as the controller sees it, hashed with the model's current block size.</summary>
    private sealed class Waiter(ModelScheduler scheduler, AdmissionTicket ticket) : IAdmissible
    {
        public AdmissionTicket Ticket { get; } = ticket;

        // Completed under the scheduler's lock; continuations must not run there.
        public TaskCompletionSource<BackendLease> Lease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public QueueEntry Entry => Ticket.Entry;

        public DispatchRequest Dispatch => Ticket.DispatchRequest(scheduler._hasher);

        public double QueueShare => Ticket.QueueShare;

        public bool HasFailedOn(EngineLedger engine) => Ticket.Tried.Contains(engine);
    }
}
