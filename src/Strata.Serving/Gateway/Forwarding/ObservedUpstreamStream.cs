namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// The engine's response body as YARP's forwarder reads it: bytes pass through untouched and are
/// shown to the <see cref="UpstreamAttempt"/>. An upstream read failure (the engine died, or YARP's
/// activity timeout fired on a stall) is recorded and reads as the end of the body, because YARP
/// answers body errors by aborting the client connection, and the gateway wants to end an SSE
/// stream with an error event instead. A client abort still throws, so YARP cancels the upstream.
/// </summary>
internal sealed class ObservedUpstreamStream(Stream inner, UpstreamAttempt attempt) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (attempt.UpstreamFailure is not null) return 0;
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (!attempt.ClientAborted && e is IOException or HttpRequestException or OperationCanceledException)
        {
            attempt.OnUpstreamFailure(e);
            return 0;
        }
        if (read > 0) attempt.OnBody(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// Not supported: YARP copies the body with <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>
    /// only, and the gateway runs on the socket event thread (GatewayHost), where a blocking read
    /// would stall every connection on that thread, and a sync-over-async one could deadlock it.
    /// </summary>
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The upstream body is read asynchronously only; a blocking read would stall the socket thread.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
