namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// The request-body bytes the gateway holds at once, across every request, against the config's
/// <c>max_body_bytes_in_flight</c>: a body that would go over it is not read (503), so concurrent
/// large bodies cannot grow memory without bound. Each body is held until its request ends, since a
/// retry replays it.
/// </summary>
public sealed class BodyBudget
{
    private long _held;

    public long Held => Interlocked.Read(ref _held);

    /// <summary>Holds <paramref name="bytes"/> more if that stays within <paramref name="capacity"/>.</summary>
    public bool TryTake(long bytes, long capacity)
    {
        var held = Interlocked.Read(ref _held);
        while (true)
        {
            if (held + bytes > capacity) return false;
            var seen = Interlocked.CompareExchange(ref _held, held + bytes, held);
            if (seen == held) return true;
            held = seen;
        }
    }

    public void Give(long bytes) => Interlocked.Add(ref _held, -bytes);
}
