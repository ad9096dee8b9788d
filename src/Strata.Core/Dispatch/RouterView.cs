namespace Strata.Core.Dispatch;

/// <summary>
/// The one producer of <see cref="EngineView"/> in both worlds: a pool of <see cref="EngineLedger"/>s, each holding
/// the last snapshot its engine's signal source published plus what the router did since (dispatched, started,
/// finished). The simulator's engine stats and a gateway's <c>/metrics</c> scrape publish into it alike; what the
/// source does not supply (<see cref="Supplied"/>) is estimated from the router's own requests or left at zero, and
/// <see cref="PolicyInputs.Check"/> refuses a policy that cannot do without it.
/// </summary>
public sealed class RouterView
{
    private readonly EngineLedger[] _engines;

    /// <param name="supplied">The fields the world's signal source publishes in its snapshots.</param>
    public RouterView(IReadOnlyList<EngineLedger> engines, SignalFields supplied)
    {
        _engines = [.. engines];
        Supplied = supplied;
    }

    /// <summary>A view over <paramref name="engines"/> fresh ledgers that count in flight by <paramref name="accounting"/>.</summary>
    public RouterView(int engines, SignalFields supplied, InFlightAccounting accounting = InFlightAccounting.UntilFinished)
        : this(Enumerable.Range(0, engines).Select(_ => new EngineLedger(accounting)).ToArray(), supplied)
    {
    }

    public int Count => _engines.Length;

    public SignalFields Supplied { get; }

    public EngineLedger this[int engine] => _engines[engine];

    /// <summary>The engine as a policy sees it now; <see cref="EngineView.Healthy"/> is the engine's health.</summary>
    public EngineView View(int engine, double now) => _engines[engine].View(engine, now, Supplied, _engines[engine].Healthy);

    /// <summary>The engine as a policy sees it now, shown healthy only if <paramref name="eligible"/>.</summary>
    public EngineView View(int engine, double now, bool eligible) => _engines[engine].View(engine, now, Supplied, eligible);

    public RoutedRequest Dispatched(int engine, long id, int promptTokens, double now) => _engines[engine].Dispatched(engine, id, promptTokens, now);
}
