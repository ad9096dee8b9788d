using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Strata.Serving.Tests.Emulation;

/// <summary>The emulated engine speaks vLLM's OpenAI-compatible API well enough for the official SDK.</summary>
public sealed class EmulatedEngineApiTests
{
    private static ChatClient Chat(EmulatedEngines engines) =>
        new(EmulatedEngines.Model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(engines.Url, "/v1") });

    [Fact]
    public async Task Sdk_chat_completion_returns_max_tokens_of_text_with_usage()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 5);
        var result = await Chat(engines).CompleteChatAsync([new UserChatMessage("Say hello.")], new ChatCompletionOptions { MaxOutputTokenCount = 12 });

        Assert.Equal(ChatFinishReason.Length, result.Value.FinishReason);
        Assert.Equal(12, result.Value.Usage.OutputTokenCount);
        Assert.True(result.Value.Usage.InputTokenCount > 0);
        Assert.Equal(12 * 4, result.Value.Content[0].Text.Length);
    }

    [Fact]
    public async Task Sdk_streaming_chat_gets_one_chunk_per_token_then_usage()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 5);
        var text = "";
        var chunksWithText = 0;
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in Chat(engines).CompleteChatStreamingAsync([new UserChatMessage("Count to ten.")], new ChatCompletionOptions { MaxOutputTokenCount = 10 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                text += part.Text;
                if (part.Text.Length > 0) chunksWithText++;
            }
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal(10, chunksWithText);
        Assert.Equal(40, text.Length);
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.NotNull(usage);
        Assert.Equal(10, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Completions_stream_ends_with_finish_reason_usage_and_done_like_vllm()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 5);
        var response = await engines.Http.PostAsync("/v1/completions", new StringContent(
            """{"model": "qwen3-30b-a3b", "prompt": "Once upon a time", "max_tokens": 3, "stream": true, "stream_options": {"include_usage": true}}""",
            System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/event-stream; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(5, events.Length);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.Equal("data: [DONE]", events[^1]);
        var last = JsonDocument.Parse(events[2][6..]).RootElement;
        Assert.Equal("text_completion", last.GetProperty("object").GetString());
        Assert.Equal("length", last.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = JsonDocument.Parse(events[3][6..]).RootElement;
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(3, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(4, usage.GetProperty("usage").GetProperty("prompt_tokens").GetInt32()); // 16 bytes = 4 pseudo-tokens
    }

    [Fact]
    public async Task Models_health_and_errors_answer_as_vllm()
    {
        await using var engines = await EmulatedEngines.Start();
        var models = JsonDocument.Parse(await engines.Http.GetStringAsync("/v1/models")).RootElement;
        Assert.Equal(EmulatedEngines.Model, models.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await engines.Http.GetAsync("/health")).StatusCode);

        var unknownModel = await engines.Http.PostAsync("/v1/completions", new StringContent("""{"model": "other", "prompt": "x"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, unknownModel.StatusCode);
        Assert.Equal("NotFoundError", JsonDocument.Parse(await unknownModel.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());

        var tooLong = await engines.Complete("hi", maxTokens: 1_000_000);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("maximum context length", await tooLong.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/v1/completions", "\"max_completion_tokens\": 3", 16)]
    [InlineData("/v1/completions", "\"max_tokens\": 5, \"max_completion_tokens\": 3", 5)]
    [InlineData("/v1/chat/completions", "\"max_completion_tokens\": 3, \"max_tokens\": 5", 3)]
    [InlineData("/v1/chat/completions", "\"max_completion_tokens\": null, \"max_tokens\": 5", 5)]
    [InlineData("/v1/chat/completions", "\"max_tokens\": null", 256)] // the engine's choice: EmulatorOptions.DefaultMaxTokens
    public async Task Each_endpoint_reads_the_output_limit_from_the_fields_vllm_reads(string path, string fields, int generated)
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 20);
        var input = path == "/v1/completions" ? "\"prompt\": \"Once upon a time\"" : "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
        using var response = await engines.Http.PostAsync(path, new StringContent(
            $"{{\"model\": \"{EmulatedEngines.Model}\", {input}, {fields}}}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("usage");
        Assert.Equal(generated, usage.GetProperty("completion_tokens").GetInt32());
    }
}
