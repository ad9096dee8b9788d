namespace Strata.Core.Dispatch;

/// <summary>
/// One engine as a router knows it: the last snapshot its signal source published, its health, and the requests the
/// router placed on it that have not finished. A request counts as <see cref="EngineView.InFlight"/> when it was
/// dispatched after the snapshot was taken (older ones are in the snapshot's counts), until it finishes or, under
/// <see cref="InFlightAccounting.UntilSnapshot"/>, until the next snapshot. Thread-safe:
/// a gateway shares one ledger per engine among the models that list it, so its counts are the engine's.
/// </summary>
public sealed class EngineLedger(InFlightAccounting accounting = InFlightAccounting.UntilFinished)
{
    private readonly Lock _lock = new();
    private readonly List<RoutedRequest> _outstanding = [];
    private EngineView _snapshot = new(0, 0, 0, 0, 0, 0, 0);
    private double _snapshotAt = double.NegativeInfinity;
    private double _lastDispatchAt = double.NegativeInfinity;
    private int _since;
    private long _sinceTokens;
    private long _unstartedTokens;
    private long _runningTokens;
    private volatile bool _healthy = true;

    /// <summary>Health checks or failures took the engine out of the pool (false) or put it back.</summary>
    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    private int _outstandingCount;

    /// <summary>Requests placed on the engine that have not finished (read without the lock: a decision reads it often).</summary>
    public int Outstanding => Volatile.Read(ref _outstandingCount);

    /// <summary>The snapshot as last published (router fields zero).</summary>
    public EngineView Snapshot
    {
        get
        {
            lock (_lock) return _snapshot;
        }
    }

    /// <summary>The source published <paramref name="snapshot"/>, taken at <paramref name="takenAt"/> (router seconds; a scrape's is before now).</summary>
    public void Publish(in EngineView snapshot, double takenAt)
    {
        lock (_lock)
        {
            _snapshot = snapshot with { InFlight = 0, InFlightPrefillTokens = 0, Healthy = true, SignalAge = 0 };
            _snapshotAt = takenAt;
            (_since, _sinceTokens) = (0, 0);
            if (takenAt >= _lastDispatchAt) return; // the snapshot covers every request sent (the simulator's, always)
            foreach (var request in _outstanding)
                if (request.DispatchedAt > takenAt) (_since, _sinceTokens) = (_since + 1, _sinceTokens + request.PromptTokens);
        }
    }

    public RoutedRequest Dispatched(int engine, long id, int promptTokens, double now)
    {
        var request = new RoutedRequest(this, id, engine, promptTokens, now);
        lock (_lock)
        {
            request.Slot = _outstanding.Count;
            _outstanding.Add(request);
            Volatile.Write(ref _outstandingCount, _outstanding.Count);
            _unstartedTokens += promptTokens;
            _lastDispatchAt = Math.Max(_lastDispatchAt, now);
            if (now > _snapshotAt) (_since, _sinceTokens) = (_since + 1, _sinceTokens + promptTokens);
        }
        return request;
    }

    /// <summary>The request left the engine (finished, failed or aborted); a second call does nothing.</summary>
    internal void Finished(RoutedRequest request)
    {
        lock (_lock)
        {
            if (request.Slot < 0) return;
            var last = _outstanding[^1];
            _outstanding[request.Slot] = last;
            last.Slot = request.Slot;
            _outstanding.RemoveAt(_outstanding.Count - 1);
            Volatile.Write(ref _outstandingCount, _outstanding.Count);
            request.Slot = -1;
            if (request.Started) _runningTokens -= request.PromptTokens + request.OutputTokens;
            else _unstartedTokens -= request.PromptTokens;
            if (accounting == InFlightAccounting.UntilFinished && request.DispatchedAt > _snapshotAt)
                (_since, _sinceTokens) = (_since - 1, _sinceTokens - request.PromptTokens);
        }
    }

    /// <summary>The engine began answering the request: its prompt moves from waiting prefill to running tokens.</summary>
    internal void Started(RoutedRequest request)
    {
        lock (_lock)
        {
            if (request.Started) return;
            request.Started = true;
            if (request.Slot < 0) return;
            _unstartedTokens -= request.PromptTokens;
            _runningTokens += request.PromptTokens + request.OutputTokens;
        }
    }

    /// <summary>The engine streamed <paramref name="tokens"/> more of the request's output.</summary>
    internal void Output(RoutedRequest request, int tokens)
    {
        lock (_lock)
        {
            request.OutputTokens += tokens;
            if (request.Slot >= 0 && request.Started) _runningTokens += tokens;
        }
    }

    /// <summary>
    /// The engine as a policy sees it now, as engine <paramref name="index"/> of the pool. Fields the source does not
    /// supply (<paramref name="supplied"/>) are estimated from the router's own requests: unstarted prompts stand in
    /// for waiting prefill (less those counted in flight), started requests' prompt and output for running tokens:
    /// totals the ledger keeps as requests start, stream and finish, so a view never walks them.
    /// </summary>
    /// <param name="eligible">Whether the caller may place a request here now; the view shows it as <see cref="EngineView.Healthy"/>.</param>
    public EngineView View(int index, double now, SignalFields supplied, bool eligible)
    {
        lock (_lock)
        {
            var view = _snapshot with
            {
                Index = index,
                InFlight = _since,
                InFlightPrefillTokens = _sinceTokens,
                Healthy = eligible,
                SignalAge = now - _snapshotAt,
            };
            if ((supplied & SignalFields.PrefillTokens) != 0) return view;
            return view with { WaitingPrefillTokens = Math.Max(0, _unstartedTokens - _sinceTokens), RunningPrefillTokens = 0, RunningTokens = _runningTokens };
        }
    }
}
