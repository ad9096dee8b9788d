namespace Strata.Emulation;

/// <summary>
/// Faults an emulated engine injects, so a gateway's retries, health checks and timeouts can be
/// tested against them. Each engine applies them on its own.
/// </summary>
/// <param name="ErrorRate">Fraction of completion requests answered 500 before any byte of a response.</param>
/// <param name="CrashAfter">After this many completion requests the next one crashes the engine: open connections are reset, the listener closes.</param>
/// <param name="SlowStartSeconds">Wall-clock seconds after start during which /health and completions answer 503, as a loading vLLM does.</param>
/// <param name="StallAfterTokens">Every response stops after this many tokens and never ends (the connection stays open).</param>
public sealed record FailureInjection(double ErrorRate = 0, int? CrashAfter = null, double SlowStartSeconds = 0, int? StallAfterTokens = null)
{
    public static FailureInjection None { get; } = new();
}
