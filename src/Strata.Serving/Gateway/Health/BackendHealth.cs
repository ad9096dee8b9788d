using Strata.Serving.Gateway.Config;

namespace Strata.Serving.Gateway.Health;

/// <summary>
/// Whether a backend may receive requests. Two signals, either of which takes it out
/// (<see cref="HealthSettings"/>): consecutive failed <c>/health</c> probes (out until a probe
/// succeeds) and consecutive failed requests (out for the reactivation period, after which the
/// probes decide). A backend starts healthy so the gateway serves before the first probe returns.
/// </summary>
public sealed class BackendHealth(TimeProvider time)
{
    private readonly Lock _lock = new();
    private bool _probeHealthy = true;
    private int _probeFailures;
    private int _requestFailures;
    private long _outUntil;

    /// <summary>The thresholds in force; a config reload replaces them.</summary>
    public HealthSettings Settings { get; set; } = HealthSettings.Default;

    public bool IsHealthy
    {
        get
        {
            lock (_lock) return _probeHealthy && time.GetTimestamp() >= _outUntil;
        }
    }

    public void ProbeSucceeded()
    {
        lock (_lock) (_probeHealthy, _probeFailures) = (true, 0);
    }

    public void ProbeFailed()
    {
        lock (_lock)
            if (++_probeFailures >= Settings.Failures) _probeHealthy = false;
    }

    public void RequestSucceeded()
    {
        lock (_lock) _requestFailures = 0;
    }

    public void RequestFailed()
    {
        lock (_lock)
        {
            if (++_requestFailures < Settings.Failures) return;
            _requestFailures = 0;
            _outUntil = time.GetTimestamp() + (long)(Settings.Reactivation.TotalSeconds * time.TimestampFrequency);
        }
    }
}
