namespace Strata.Engine;

/// <summary>What an engine reports about its requests as steps complete.</summary>
public interface IRequestObserver
{
    /// <summary>A token was sampled for <paramref name="request"/> at <paramref name="time"/>.</summary>
    void OnToken(SimRequest request, double time);

    /// <summary>The request generated its last token and released its KV blocks.</summary>
    void OnFinished(SimRequest request, double time);
}
