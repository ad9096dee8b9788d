namespace Strata.Serving.Gateway.Backends;

/// <summary>What a finished request says about its engine's health.</summary>
public enum LeaseEnd
{
    /// <summary>The engine answered (whatever the status below 500): it is alive.</summary>
    EngineAnswered,

    /// <summary>Refused, 5xx, broke mid-stream or stalled: a passive health failure.</summary>
    EngineFailed,

    /// <summary>The client left, or the request could not be sent as the client wrote it: says nothing about the engine.</summary>
    NoVerdict,
}
