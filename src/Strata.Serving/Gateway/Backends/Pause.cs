namespace Strata.Serving.Gateway.Backends;

/// <summary>The wait between two polls of a backend; false when the gateway is stopping the loop.</summary>
internal static class Pause
{
    public static async Task<bool> WaitAsync(TimeProvider time, TimeSpan wait, CancellationToken stop)
    {
        if (wait <= TimeSpan.Zero) return !stop.IsCancellationRequested;
        try
        {
            await Task.Delay(wait, time, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
