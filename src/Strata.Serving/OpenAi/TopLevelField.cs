using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Strata.Serving.OpenAi;

/// <summary>
/// Writes one integer field of a JSON object body in place: the bytes of its value are replaced
/// (a <c>null</c> it held), or the field is inserted first when the body lacks it. Every other byte of
/// the body stays as the client sent it.
/// </summary>
public static class TopLevelField
{
    /// <param name="json">A JSON object, already validated.</param>
    /// <param name="buffers">Where the new body is written.</param>
    public static ReadOnlyMemory<byte> SetInt(ReadOnlyMemory<byte> json, string name, int value, RequestBuffers buffers)
    {
        var number = Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));
        var reader = new Utf8JsonReader(json.Span);
        reader.Read();
        var afterBrace = (int)reader.BytesConsumed;
        var empty = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            empty = false;
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match) return Splice(json.Span, (int)reader.TokenStartIndex, SpanEnd(ref reader), number, buffers);
            reader.Skip();
        }
        var field = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(name) + ":");
        return Splice(json.Span, afterBrace, afterBrace, [.. field, .. number, .. (empty ? ""u8 : ","u8)], buffers);
    }

    /// <summary>The end of the value the reader is on (for an object or array, past its closing bracket).</summary>
    private static int SpanEnd(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return (int)reader.BytesConsumed;
    }

    private static ReadOnlyMemory<byte> Splice(ReadOnlySpan<byte> json, int start, int end, ReadOnlySpan<byte> replacement, RequestBuffers buffers)
    {
        var result = buffers.Rent(json.Length - (end - start) + replacement.Length);
        json[..start].CopyTo(result.Span);
        replacement.CopyTo(result.Span[start..]);
        json[end..].CopyTo(result.Span[(start + replacement.Length)..]);
        return result;
    }
}
