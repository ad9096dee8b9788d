namespace Strata.KvEvents;

/// <summary>Whether a subscriber's engine view can be trusted.</summary>
public enum KvEventSubscriberState
{
    /// <summary>No batch yet.</summary>
    Connecting,

    /// <summary>Every batch since the last reset was applied in order.</summary>
    Healthy,

    /// <summary>
    /// Batches were lost beyond replay (the engine's view was reset), a batch did not decode, or the publisher
    /// stopped answering replay probes. The reason says which; the next batch applied in order heals it.
    /// </summary>
    Degraded,
}
