using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Strata.Serving.OpenAi;

/// <summary>
/// A request's prompt text as UTF-8, built once in one rented buffer as large as the body (unescaped
/// JSON text is never longer than the body that holds it): no UTF-16 string of a long prompt, and no
/// buffer that grows by copying. Text that is not valid Unicode — invalid UTF-8, or an unpaired
/// surrogate escape such as <c>\ud800</c> — is the client's 400, naming the field.
/// </summary>
internal sealed class PromptBytes(int bodyLength, RequestBuffers buffers)
{
    private readonly Memory<byte> _buffer = buffers.Rent(bodyLength);
    private int _length;

    public ReadOnlyMemory<byte> Utf8 => _buffer[.._length];

    /// <summary>A short string the gateway already read, such as a message's role (shorter than its JSON in the body).</summary>
    public void Append(string text) => _length += Encoding.UTF8.GetBytes(text, _buffer.Span[_length..]);

    /// <summary>A JSON string value, unescaped straight into the buffer.</summary>
    public void Append(JsonElement value, string param)
    {
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(value));
        reader.Read();
        var destination = _buffer.Span[_length..];
        int written;
        try
        {
            written = reader.CopyString(destination);
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(param);
        }
        if (!System.Text.Unicode.Utf8.IsValid(destination[..written])) throw NotUnicode(param);
        _length += written;
    }

    public static OpenAiError NotUnicode(string param) =>
        OpenAiError.InvalidRequest($"'{param}' is not valid Unicode text: it holds invalid UTF-8 or an unpaired surrogate escape such as \\ud800.", param);
}
