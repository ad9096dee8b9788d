namespace Strata.Core.Dispatch;

/// <summary>
/// One request a router placed on an engine, from dispatch to finish, as its engine's <see cref="EngineLedger"/>
/// counts it. The serving path marks its progress (<see cref="MarkStarted"/>, <see cref="AddOutputTokens"/>) from
/// any thread; the ledger keeps its totals of unstarted prompts and running tokens exact as it does, so a view never
/// walks the requests.
/// </summary>
public sealed class RoutedRequest
{
    private readonly EngineLedger _ledger;

    internal RoutedRequest(EngineLedger ledger, long id, int engine, int promptTokens, double dispatchedAt)
    {
        _ledger = ledger;
        Id = id;
        Engine = engine;
        PromptTokens = promptTokens;
        DispatchedAt = dispatchedAt;
    }

    public long Id { get; }

    public int Engine { get; }

    public int PromptTokens { get; }

    /// <summary>Router seconds of the dispatch decision.</summary>
    public double DispatchedAt { get; }

    /// <summary>The engine began answering (first byte or first token): its prompt is no longer waiting prefill. Guarded by the ledger's lock.</summary>
    public bool Started { get; internal set; }

    /// <summary>Tokens the engine has streamed back so far. Guarded by the ledger's lock.</summary>
    public int OutputTokens { get; internal set; }

    public void MarkStarted() => _ledger.Started(this);

    public void AddOutputTokens(int tokens) => _ledger.Output(this, tokens);

    /// <summary>The request left its engine (finished, failed or aborted): it no longer counts there. Idempotent.</summary>
    public void Finish() => _ledger.Finished(this);

    /// <summary>Position in its ledger's outstanding list (swap-remove); -1 once finished. Guarded by the ledger's lock.</summary>
    internal int Slot { get; set; } = -1;
}
