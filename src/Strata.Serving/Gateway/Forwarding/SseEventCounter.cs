namespace Strata.Serving.Gateway.Forwarding;

/// <summary>
/// Counts server-sent events in a byte stream as it passes, however the stream is cut into reads:
/// an event ends at a blank line and counts when it carried a <c>data:</c> line that is not
/// <c>data: [DONE]</c> (OpenAI's end marker, not a token).
/// </summary>
public sealed class SseEventCounter
{
    private static readonly byte[] DataField = "data:"u8.ToArray();
    private static readonly byte[] DoneMarker = "[DONE]"u8.ToArray();

    // Enough of a line's start to tell "data: [DONE]" from other lines.
    private readonly byte[] _lineStart = new byte[16];
    private int _lineLength;
    private bool _eventHasData;
    private bool _eventIsDone;

    /// <summary>True when the bytes so far stop inside an event (after some of its lines, before its blank line).</summary>
    public bool InsideEvent => _lineLength > 0 || _eventHasData || _eventIsDone;

    /// <summary>Feeds the next bytes; returns how many data events they completed.</summary>
    public int Feed(ReadOnlySpan<byte> bytes)
    {
        var completed = 0;
        foreach (var b in bytes)
        {
            if (b == (byte)'\r') continue;
            if (b != (byte)'\n')
            {
                if (_lineLength < _lineStart.Length) _lineStart[_lineLength] = b;
                _lineLength++;
                continue;
            }
            if (_lineLength == 0)
            {
                if (_eventHasData && !_eventIsDone) completed++;
                (_eventHasData, _eventIsDone) = (false, false);
            }
            else
            {
                EndLine();
            }
            _lineLength = 0;
        }
        return completed;
    }

    private void EndLine()
    {
        var line = _lineStart.AsSpan(0, Math.Min(_lineLength, _lineStart.Length));
        if (!line.StartsWith(DataField)) return;
        _eventHasData = true;
        var value = line[DataField.Length..].TrimStart((byte)' ');
        // Only a line short enough to be held whole can be exactly "data: [DONE]".
        if (_lineLength <= _lineStart.Length && value.SequenceEqual(DoneMarker)) _eventIsDone = true;
    }
}
