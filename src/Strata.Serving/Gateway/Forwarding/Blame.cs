namespace Strata.Serving.Gateway.Forwarding;

/// <summary>Whose fault a forward that went wrong is: the rule behind docs/gateway.md's "Failure semantics".</summary>
public enum Blame
{
    /// <summary>What the engine did: refused or dropped the connection, broke HTTP, or stayed silent past a timeout. A passive health failure.</summary>
    Engine,

    /// <summary>The gateway's HTTP client would not send the request as the client wrote it, so the engine never saw it: a 400, no retry, no health penalty.</summary>
    Client,

    /// <summary>The client went away or stopped reading the response; says nothing about the engine.</summary>
    ClientGone,
}
