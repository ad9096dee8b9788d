using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Strata.Core.Dispatch.PrefixCache;

namespace Strata.Bench;

/// <summary>
/// Sends one streaming completion and times its chunks as <c>vllm bench serve</c>'s OpenAI request
/// functions do: <c>temperature 0</c>, <c>ignore_eos</c>, <c>max_tokens</c> = the wanted output,
/// usage requested in the stream; a stream carrying an error event failed; the output length is the server's <c>completion_tokens</c>, or the
/// text's pseudo-token count when it sends no usage.
/// </summary>
internal sealed class OpenAiStreamClient(HttpClient http, BenchOptions options)
{
    private readonly Uri _url = new(options.Url, options.Endpoint);

    public async Task<RequestMeasurement> Send(BenchRequest request, long runStart, CancellationToken cancel)
    {
        var start = Stopwatch.GetElapsedTime(runStart).TotalSeconds;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, _url) { Content = Body(request) };
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancel);
            if (!response.IsSuccessStatusCode)
                return RequestMeasurement.Failure(start, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {Truncate(await response.Content.ReadAsStringAsync(cancel))}");
            return await Read(response, runStart, start, cancel);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return RequestMeasurement.Failure(start, e.Message);
        }
    }

    private async Task<RequestMeasurement> Read(HttpResponseMessage response, long runStart, double start, CancellationToken cancel)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel), Encoding.UTF8);
        var itl = new List<double>();
        double ttft = 0, last = start;
        var firstSeen = false;
        int? usageTokens = null;
        var generatedBytes = 0;
        while (await reader.ReadLineAsync(cancel) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
            var data = line.AsSpan(5).Trim();
            if (data.SequenceEqual("[DONE]")) break;
            var now = Stopwatch.GetElapsedTime(runStart).TotalSeconds;
            using var chunk = JsonDocument.Parse(data.ToString());
            var root = chunk.RootElement;
            // A server that breaks mid-stream (an engine dying behind a gateway) says so in an error event:
            // the request failed, whatever it streamed before.
            if (root.TryGetProperty("error", out var error)) return RequestMeasurement.Failure(start, $"Stream error: {ErrorMessage(error)}");
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object &&
                usage.TryGetProperty("completion_tokens", out var completion))
                usageTokens = completion.GetInt32();
            if (Text(root) is not { Length: > 0 } text) continue;
            generatedBytes += Encoding.UTF8.GetByteCount(text);
            if (!firstSeen)
            {
                firstSeen = true;
                ttft = now - start;
            }
            else itl.Add(now - last);
            last = now;
        }
        if (!firstSeen) return RequestMeasurement.Failure(start, "Never received a valid chunk to calculate TTFT.");
        return new RequestMeasurement(true, start, ttft, last - start, itl, usageTokens ?? PrefixBlockHasher.EstimateTokens(generatedBytes), null);
    }

    private static string ErrorMessage(JsonElement error) =>
        error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
            ? Truncate(message.GetString()!)
            : Truncate(error.ToString());

    private string? Text(JsonElement chunk)
    {
        if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0) return null;
        var choice = choices[0];
        var holder = options.IsChat ? choice.TryGetProperty("delta", out var delta) ? delta : default : choice;
        return holder.ValueKind == JsonValueKind.Object && holder.TryGetProperty(options.IsChat ? "content" : "text", out var text) &&
               text.ValueKind == JsonValueKind.String ? text.GetString() : null;
    }

    private HttpContent Body(BenchRequest request)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", options.Model);
            if (options.IsChat)
            {
                json.WriteStartArray("messages");
                json.WriteStartObject();
                json.WriteString("role", "user");
                json.WriteString("content", request.Prompt);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteNumber("max_completion_tokens", request.OutputTokens);
            }
            else
            {
                json.WriteString("prompt", request.Prompt);
                json.WriteNumber("max_tokens", request.OutputTokens);
            }
            json.WriteNumber("temperature", 0);
            json.WriteBoolean("ignore_eos", true);
            json.WriteBoolean("stream", true);
            json.WriteStartObject("stream_options");
            json.WriteBoolean("include_usage", true);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        var content = new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
