namespace Strata.Emulation;

/// <summary>
/// Modelled time of an emulated engine: wall time since start on a <see cref="TimeProvider"/>,
/// multiplied by the time scale, so steps last their modelled duration divided by the scale.
/// </summary>
internal sealed class ModelClock
{
    private readonly TimeProvider _time;
    private readonly long _start;

    public ModelClock(TimeProvider time, double scale)
    {
        _time = time;
        Scale = scale;
        _start = time.GetTimestamp();
    }

    public double Scale { get; }

    /// <summary>Modelled seconds since the engine started.</summary>
    public double Now => _time.GetElapsedTime(_start).TotalSeconds * Scale;

    /// <summary>Waits until <see cref="Now"/> reaches <paramref name="modelSeconds"/>.</summary>
    public Task WaitUntil(double modelSeconds, CancellationToken cancel)
    {
        var wall = (modelSeconds - Now) / Scale;
        return wall > 0 ? Task.Delay(TimeSpan.FromSeconds(wall), _time, cancel) : Task.CompletedTask;
    }
}
