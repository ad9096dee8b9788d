namespace Strata.Core.Dispatch;

/// <summary>
/// One request a router placed on an engine, from dispatch to finish, as <see cref="RouterView"/> counts it. The
/// serving path marks its progress (<see cref="MarkStarted"/>, <see cref="AddOutputTokens"/>) from any thread
/// without the router's lock; the router reads it only for the fields its signal source does not supply.
/// </summary>
public sealed class RoutedRequest
{
    private int _started;
    private int _outputTokens;

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

    /// <summary>The engine began answering (first byte or first token): its prompt is no longer waiting prefill.</summary>
    public bool Started => Volatile.Read(ref _started) != 0;

    /// <summary>Tokens the engine has streamed back so far.</summary>
    public int OutputTokens => Volatile.Read(ref _outputTokens);

    public void MarkStarted() => Volatile.Write(ref _started, 1);

    public void AddOutputTokens(int tokens) => Interlocked.Add(ref _outputTokens, tokens);

    /// <summary>The request left its engine (finished, failed or aborted): it no longer counts there. Idempotent.</summary>
    public void Finish() => _ledger.Finished(this);

    /// <summary>Position in its ledger's outstanding list (swap-remove); -1 once finished. Guarded by the ledger's lock.</summary>
    internal int Slot { get; set; } = -1;
}
