using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace Strata.Serving.Tests.Gateway;

public sealed class PassThroughTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task Responses_pass_through_byte_for_byte(bool chat, bool stream)
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine]));
        var body = chat
            ? $"{{\"model\":\"m\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}]}}"
            : $"{{\"model\":\"m\",\"stream\":{(stream ? "true" : "false")},\"prompt\":\"hi\"}}";
        var path = chat ? "/v1/chat/completions" : "/v1/completions";

        using var response = await gateway.Client.SendAsync(TestGateway.Post(path, body));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        using var direct = new HttpClient { BaseAddress = engine.Url };
        var expected = await (await direct.SendAsync(TestGateway.Post(path, body))).Content.ReadAsByteArrayAsync();
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(expected, bytes);
        Assert.Equal(stream ? engine.StreamBody(chat) : engine.JsonBody(chat), System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(stream ? "text/event-stream" : "application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenAI_sdk_streams_through_the_gateway()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], top: "api_keys: {sk-test: team-a}\n"));
        var client = new ChatClient("m", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = new Uri(gateway.Url, "/v1") });

        var text = new System.Text.StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hello")]))
            foreach (var part in update.ContentUpdate) text.Append(part.Text);

        Assert.Equal("tok0 tok1 tok2 tok3 tok4 ", text.ToString());
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_requests_finished_total", ("outcome", "completed")));
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_ttft_seconds_count"));
        Assert.Equal(1, await gateway.MetricAsync("strata_gateway_tpot_seconds_count"));
    }

    [Fact]
    public async Task OpenAI_sdk_non_streaming_completion_through_the_gateway()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine]));
        var client = new ChatClient("m", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(gateway.Url, "/v1") });

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("hello")]);

        Assert.Equal("tok0 tok1 tok2 tok3 tok4 ", completion.Content[0].Text);
    }

    [Fact]
    public async Task Models_are_the_union_of_the_backends_lists()
    {
        await using var a = await FakeEngine.StartAsync("a", "m", "shared");
        await using var b = await FakeEngine.StartAsync("b", "shared", "other");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([a, b]));

        using var json = System.Text.Json.JsonDocument.Parse(await gateway.Client.GetStringAsync("/v1/models"));

        var ids = json.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).Order().ToArray();
        Assert.Equal(["m", "other", "shared"], ids);
        Assert.Equal("list", json.RootElement.GetProperty("object").GetString());
    }

    [Fact]
    public async Task A_prefix_aware_policy_keeps_a_repeated_prompt_on_the_engine_that_cached_it()
    {
        await using var a = await FakeEngine.StartAsync("a");
        await using var b = await FakeEngine.StartAsync("b");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([a, b], "    dispatch: {name: llmd}\n"));
        var shared = new string('p', 2000);

        for (var i = 0; i < 6; i++)
            using (await gateway.Client.SendAsync(TestGateway.Chat(stream: false, content: shared + i))) { }

        // The first pick is a tie broken at random; every later prompt shares its 2000-byte prefix (31 KV blocks) with it.
        Assert.Contains(6, new[] { a.CompletionRequests, b.CompletionRequests });
    }
}
