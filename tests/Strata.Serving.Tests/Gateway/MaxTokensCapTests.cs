using System.Net;
using System.Text.Json;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// The model's max_tokens cap holds on the field each endpoint's engine reads (vLLM: chat reads
/// max_completion_tokens then max_tokens; completions reads max_tokens only, 16 when absent), and a
/// request that leaves the limit to the engine gets the cap written into the body it forwards.
/// </summary>
public sealed class MaxTokensCapTests : IAsyncLifetime
{
    private FakeEngine _engine = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _engine = await FakeEngine.StartAsync("a");
        _gateway = await TestGateway.StartAsync(TestGateway.Config([_engine], "    max_tokens: 100\n"));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _engine.DisposeAsync();
    }

    [Theory]
    [InlineData("/v1/chat/completions", "", "max_completion_tokens", 100)]
    [InlineData("/v1/chat/completions", "\"max_tokens\":null,", "max_completion_tokens", 100)]
    [InlineData("/v1/chat/completions", "\"max_completion_tokens\":null,", "max_completion_tokens", 100)]
    [InlineData("/v1/chat/completions", "\"max_completion_tokens\":null,\"max_tokens\":7,", "max_tokens", 7)]
    [InlineData("/v1/completions", "\"max_tokens\":null,", "max_tokens", 100)]
    [InlineData("/v1/completions", "", "max_tokens", null)]
    [InlineData("/v1/completions", "\"max_completion_tokens\":5000,", "max_tokens", null)]
    public async Task The_engine_gets_a_limit_within_the_cap_in_the_field_it_reads(string path, string fields, string field, int? forwarded)
    {
        using var response = await _gateway.Client.SendAsync(TestGateway.Post(path, Body(path, fields)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(_engine.Received.TryDequeue(out var sent));
        using var json = JsonDocument.Parse(sent);
        // null: the field stays absent, so the engine applies the endpoint's default (16 on completions).
        if (forwarded is null) Assert.False(json.RootElement.TryGetProperty(field, out _), sent);
        else Assert.Equal(forwarded, json.RootElement.GetProperty(field).GetInt32());
    }

    [Theory]
    [InlineData("/v1/completions", "\"max_completion_tokens\":1,\"max_tokens\":30000,", "max_tokens")]
    [InlineData("/v1/chat/completions", "\"max_completion_tokens\":null,\"max_tokens\":30000,", "max_tokens")]
    [InlineData("/v1/chat/completions", "\"max_completion_tokens\":101,\"max_tokens\":1,", "max_completion_tokens")]
    public async Task A_limit_over_the_cap_in_the_field_the_engine_reads_is_a_400_naming_it(string path, string fields, string param)
    {
        using var response = await _gateway.Client.SendAsync(TestGateway.Post(path, Body(path, fields)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(param, json.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(0, _engine.CompletionRequests);
    }

    [Fact]
    public async Task A_repeated_field_is_a_400_since_the_engine_would_read_the_last_copy()
    {
        using var response = await _gateway.Client.SendAsync(TestGateway.Post("/v1/completions", Body("/v1/completions", "\"max_tokens\":1,\"max_tokens\":30000,")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _engine.CompletionRequests);
    }

    private static string Body(string path, string fields) => path == "/v1/completions"
        ? $"{{{fields}\"model\":\"m\",\"prompt\":\"hello\"}}"
        : $"{{{fields}\"model\":\"m\",\"messages\":[{{\"role\":\"user\",\"content\":\"hello\"}}]}}";
}
