using System.Buffers;

namespace Strata.Serving.OpenAi;

/// <summary>
/// The large buffers of one request — its body, its prompt text, a body with a written cap —
/// rented from the shared array pool and all returned when the request ends. A large body then
/// reuses memory an earlier one freed instead of leaving tens of megabytes of garbage for the next
/// full collection, so the gateway's memory follows the bodies in flight, not the bodies served.
/// </summary>
public sealed class RequestBuffers : IDisposable
{
    private readonly List<byte[]> _rented = [];

    /// <summary>A buffer of exactly <paramref name="length"/> bytes (its contents are not cleared).</summary>
    public Memory<byte> Rent(int length)
    {
        var array = ArrayPool<byte>.Shared.Rent(length);
        _rented.Add(array);
        return array.AsMemory(0, length);
    }

    public void Dispose()
    {
        foreach (var array in _rented) ArrayPool<byte>.Shared.Return(array);
        _rented.Clear();
    }
}
