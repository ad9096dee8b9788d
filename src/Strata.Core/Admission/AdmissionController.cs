using System.Diagnostics.CodeAnalysis;
using Strata.Core.Dispatch;
using Strata.Core.Queueing;

namespace Strata.Core.Admission;

/// <summary>
/// The admission stage in front of a pool of engines, as a pure object driven by events: a request arrives; it goes
/// straight to an engine when the queue is empty and some eligible engine runs fewer than
/// <see cref="AdmissionLimits.MaxInFlightPerEngine"/> of this stage's requests (vLLM's DP router dispatches
/// immediately the same way), and otherwise waits in a bounded queue ordered by the queue policy, leaving it when a
/// request finishes and the dispatch policy places it. Engines at their limit, unhealthy, or already failed by the
/// request are shown to the dispatch policy as unhealthy, so any policy works unchanged, except that with every
/// engine out of the pool all count as healthy again when <see cref="AdmissionLimits.Panic"/> is on.
/// <para>
/// <c>strata serve</c> runs it per model, and the simulator's <c>gateway:</c> stage runs the same class, so an
/// experiment measures what the gateway does. It never reads a clock: time comes in as <c>now</c>. Not thread-safe;
/// the owner serialises calls.
/// </para>
/// </summary>
public sealed class AdmissionController<T> where T : class, IAdmissible
{
    private readonly IWaitingQueue<T> _queue;
    private readonly HashSet<T> _waiting = new(ReferenceEqualityComparer.Instance);
    private readonly EngineView[] _views;

    public AdmissionController(AdmissionLimits limits, IWaitingQueue<T> queue, IEngineSelector selector, RouterView view)
    {
        Limits = limits;
        _queue = queue;
        Selector = selector;
        View = view;
        _views = new EngineView[view.Count];
    }

    public AdmissionLimits Limits { get; }

    public IEngineSelector Selector { get; }

    public RouterView View { get; }

    public int QueueLength => _queue.Count;

    /// <summary>The requests waiting, in no particular order (a reconfigured stage carries them over by arrival).</summary>
    public IReadOnlyCollection<T> Waiting => _waiting;

    /// <summary>
    /// A request arrived (or is retried after an engine failed it): it is placed on an engine
    /// (<see cref="Admission.Routed"/>), queued, or refused with the reason.
    /// </summary>
    public Admission Arrive(T request, double now)
    {
        if (_queue.Count == 0 && TryRoute(request, now) is { } routed) return new Admission(routed, null);
        if (!AnyCandidate(request, out var failedSome))
            return new Admission(null, failedSome ? AdmissionRejection.EveryBackendFailed : AdmissionRejection.NoBackend);
        if (_queue.Count >= Limits.MaxQueueLength) return new Admission(null, AdmissionRejection.QueueFull);
        // A tenant's share of the queue, so one that floods it leaves room for the others.
        var share = Limits.QueueSlots(request.QueueShare);
        if (request.Entry.Tenant is { } tenant && share < Limits.MaxQueueLength && _waiting.Count(w => w.Entry.Tenant == tenant) >= share)
            return new Admission(null, AdmissionRejection.QueueShareFull);
        _queue.Add(request, request.Entry);
        _waiting.Add(request);
        return Admission.Wait;
    }

    /// <summary>
    /// Places the queue's head if an engine has room: call after a request finishes, an engine's health or load
    /// changes, and until it returns false.
    /// </summary>
    public bool TryDispatchNext(double now, [NotNullWhen(true)] out T? request, [NotNullWhen(true)] out RoutedRequest? routed)
    {
        routed = null;
        if (!_queue.TryPeek(now, out request) || TryRoute(request, now) is not { } placed) return false;
        _queue.Take(now);
        _waiting.Remove(request);
        routed = placed;
        return true;
    }

    /// <summary>A request waiting in a stage this one replaces (a reload): it joins the queue as it is, unchecked.</summary>
    public void Carry(T request)
    {
        _queue.Add(request, request.Entry);
        _waiting.Add(request);
    }

    /// <summary>The request left its engine: it served it, or the client went away.</summary>
    public void Finished(RoutedRequest routed) => routed.Finish();

    /// <summary>The engine failed the request before serving it: the policy forgets that route, and the engine's slot frees.</summary>
    public void Abandoned(T request, RoutedRequest routed)
    {
        Selector.OnAbandoned(request.Dispatch, routed.Engine);
        routed.Finish();
    }

    /// <summary>Takes a waiting request out of the queue (its client left, or it waited too long); false if it is not waiting.</summary>
    public bool Withdraw(T request)
    {
        if (!_waiting.Remove(request)) return false;
        _queue.Remove(request);
        return true;
    }

    private RoutedRequest? TryRoute(T request, double now)
    {
        var any = false;
        var panic = InPanic();
        for (var i = 0; i < _views.Length; i++)
        {
            var ledger = View[i];
            var eligible = (panic || ledger.Healthy) && ledger.Outstanding < Limits.MaxInFlightPerEngine && !request.HasFailedOn(ledger);
            any |= eligible;
            _views[i] = View.View(i, now, eligible);
        }
        if (!any) return null;
        var dispatch = request.Dispatch;
        var engine = Selector.Select(dispatch, _views, now);
        if (engine < 0) return null;
        Selector.OnRouted(dispatch, engine, _views, now);
        return View.Dispatched(engine, dispatch.Id, dispatch.PromptTokens, now);
    }

    /// <summary>Whether any engine could ever take the request: healthy (or any, in panic) and not failed by it.</summary>
    private bool AnyCandidate(T request, out bool failedSome)
    {
        var panic = InPanic();
        var (any, failed) = (false, false);
        for (var i = 0; i < View.Count; i++)
        {
            var hasFailed = request.HasFailedOn(View[i]);
            failed |= hasFailed;
            any |= (panic || View[i].Healthy) && !hasFailed;
        }
        failedSome = failed;
        return any;
    }

    private bool InPanic()
    {
        if (!Limits.Panic) return false;
        for (var i = 0; i < View.Count; i++)
            if (View[i].Healthy) return false;
        return true;
    }
}
