using Strata.Core.Dispatch;

namespace Strata.Emulation;

/// <summary>
/// Where a request goes among the DP ranks behind one emulated server, as vLLM's API server places it: the rank of
/// an <c>X-data-parallel-rank</c> header if the request carries one, else vLLM's internal balancer
/// (<c>DPLBAsyncMPClient.get_core_engine_for_request</c>, <c>vllm/v1/engine/core_client.py</c> @ 00080ee1) as
/// <see cref="VllmDataParallelSelector"/> with rule <c>current</c>. The ranks' views come from a
/// <see cref="RouterView"/> the ranks' loops publish into at every step boundary, so they are exact: there is no
/// 100 ms coordinator lag to model. Requests placed since a rank's last publication count as in flight there until
/// the next one, as vLLM's client bumps its copy of the waiting count on every dispatch.
/// <para>
/// Placement and publication take the same <see cref="Gate"/>: a rank's loop takes in its new requests and publishes
/// its state under it, so a published snapshot holds exactly the requests placed before it.
/// </para>
/// </summary>
internal sealed class DataParallelRouter
{
    private const SignalFields Supplied = SignalFields.QueueDepth | SignalFields.KvUsage | SignalFields.PrefillTokens | SignalFields.ExpertPressure;

    private readonly RouterView _view;
    private readonly VllmDataParallelSelector _selector = new(VllmDataParallelRule.Current);
    private readonly EngineView[] _views;

    public DataParallelRouter(int ranks)
    {
        _view = new RouterView(ranks, Supplied, InFlightAccounting.UntilSnapshot);
        _views = new EngineView[ranks];
    }

    /// <summary>Held while placing a request and while a rank takes in requests and publishes its state.</summary>
    public Lock Gate { get; } = new();

    public int Ranks => _views.Length;

    /// <summary>Places a request on <paramref name="pinned"/>, or on the balancer's pick; the caller holds <see cref="Gate"/>.</summary>
    public RoutedRequest Place(in DispatchRequest request, int? pinned, double now)
    {
        var rank = pinned ?? Pick(request, now);
        return _view.Dispatched(rank, request.Id, request.PromptTokens, now);
    }

    /// <summary>A rank's state after it took in its requests; the caller holds <see cref="Gate"/>.</summary>
    public void Publish(int rank, in EngineView snapshot, double takenAt) => _view[rank].Publish(snapshot, takenAt);

    private int Pick(in DispatchRequest request, double now)
    {
        if (_views.Length == 1) return 0;
        for (var r = 0; r < _views.Length; r++) _views[r] = _view.View(r, now);
        var rank = _selector.Select(request, _views, now);
        _selector.OnRouted(request, rank, _views, now);
        return rank;
    }
}
