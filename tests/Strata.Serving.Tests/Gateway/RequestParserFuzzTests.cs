using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Serving.Gateway.Admission;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// The request parser on generated bodies — the fields it reads, with wrong types, nulls, repeats,
/// huge numbers, unpaired surrogate escapes, invalid UTF-8 and truncation: every body is either read
/// or refused with a 400 naming why, never an exception the gateway would answer 500 (uncounted).
/// </summary>
public sealed class RequestParserFuzzTests
{
    private static readonly string[] Keys = ["model", "messages", "prompt", "max_tokens", "max_completion_tokens", "stream", "user", "priority", "role", "content", "text"];

    private static readonly string[] Scalars =
    [
        "0", "-1", "1", "16", "1.5", "1e400", "2147483648", "-2147483649", "true", "false", "null",
        "\"\"", "\"m\"", "\"user\"", "\"\\ud800\"", "\"a\\udc00\"", "\"\\u0000\"", "\"é\"", "\"\\\"\"",
    ];

    private static Gen<string> Value(int depth) => depth == 0
        ? Gen.Elements(Scalars)
        : Gen.OneOf(
            Gen.Elements(Scalars),
            Gen.ListOf(Value(depth - 1)).Select(items => "[" + string.Join(",", items.Take(4)) + "]"),
            Object(depth - 1));

    private static Gen<string> Object(int depth) =>
        Gen.ListOf(Gen.Elements(Keys).SelectMany(key => Value(depth), (key, value) => $"\"{key}\":{value}"))
            .Select(fields => "{" + string.Join(",", fields.Take(6)) + "}");

    /// <summary>An object body, sometimes with one byte made invalid UTF-8, sometimes cut short.</summary>
    private static Gen<byte[]> Body() =>
        from json in Object(3)
        from damage in Gen.Choose(0, 3)
        from at in Gen.Choose(0, 1000)
        select Damage(Encoding.UTF8.GetBytes(json), damage, at);

    private static byte[] Damage(byte[] bytes, int damage, int at)
    {
        if (bytes.Length == 0 || damage == 0) return bytes;
        var position = at % bytes.Length;
        if (damage == 1) bytes[position] = 0xFF;
        else if (damage == 2) bytes[position] = 0xC3; // a lead byte whose continuation is missing
        else return bytes[..position];
        return bytes;
    }

    [Property(MaxTest = 3000)]
    public Property Every_body_is_read_or_refused_with_a_400_and_a_written_cap_keeps_it_readable() =>
        Prop.ForAll(Body().ToArbitrary(), ArbMap.Default.ArbFor<bool>(), (body, chat) =>
        {
            using var buffers = new RequestBuffers();
            try
            {
                var request = CompletionRequestParser.Parse(body, chat, buffers);
                var (capped, _) = MaxTokensCap.Apply(body, request, cap: 100, buffers);
                return CompletionRequestParser.Parse(capped, chat, buffers).MaxTokens <= 100;
            }
            catch (OpenAiError error)
            {
                return error.Status == 400;
            }
        });
}
