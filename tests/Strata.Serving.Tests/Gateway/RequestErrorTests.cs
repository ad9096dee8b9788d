using System.Net;
using System.Text.Json;

namespace Strata.Serving.Tests.Gateway;

/// <summary>Client mistakes get an OpenAI-style error naming the field, and never reach an engine.</summary>
public sealed class RequestErrorTests : IAsyncLifetime
{
    private FakeEngine _engine = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _engine = await FakeEngine.StartAsync("a");
        _gateway = await TestGateway.StartAsync(TestGateway.Config([_engine], "    max_tokens: 100\n", "api_keys: {sk-a: team-a}\nmax_body_bytes: 2000\n"));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _engine.DisposeAsync();
    }

    [Theory]
    [InlineData(null, "Missing API key")]
    [InlineData("sk-wrong", "Incorrect API key")]
    public async Task Missing_or_wrong_key_is_401(string? key, string message)
    {
        using var response = await _gateway.Client.SendAsync(TestGateway.Chat(stream: false, key));
        var error = await ErrorAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(message, error.GetProperty("message").GetString());
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal(0, _engine.CompletionRequests);
    }

    [Theory]
    [InlineData("{\"model\":\"m\",", HttpStatusCode.BadRequest, null)]
    [InlineData("[1,2]", HttpStatusCode.BadRequest, null)]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", HttpStatusCode.BadRequest, "model")]
    [InlineData("{\"model\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", HttpStatusCode.BadRequest, "model")]
    [InlineData("{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", HttpStatusCode.BadRequest, "stream")]
    [InlineData("{\"model\":\"m\",\"messages\":[]}", HttpStatusCode.BadRequest, "messages")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}", HttpStatusCode.BadRequest, "messages[0].content")]
    [InlineData("{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", HttpStatusCode.BadRequest, "max_tokens")]
    [InlineData("{\"model\":\"m\",\"max_tokens\":101,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", HttpStatusCode.BadRequest, "max_tokens")]
    [InlineData("{\"model\":\"m\",\"max_completion_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", HttpStatusCode.BadRequest, "max_completion_tokens")]
    [InlineData("{\"model\":\"m\",\"priority\":\"high\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", HttpStatusCode.BadRequest, "priority")]
    [InlineData("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", HttpStatusCode.NotFound, "model")]
    public async Task Bad_requests_name_the_field(string body, HttpStatusCode status, string? param)
    {
        using var response = await _gateway.Client.SendAsync(TestGateway.Post("/v1/chat/completions", body, "sk-a"));
        var error = await ErrorAsync(response, status);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(0, _engine.CompletionRequests);
    }

    [Fact]
    public async Task Completions_prompt_of_the_wrong_type_names_prompt()
    {
        using var response = await _gateway.Client.SendAsync(TestGateway.Post("/v1/completions", "{\"model\":\"m\",\"prompt\":{\"a\":1}}", "sk-a"));
        Assert.Equal("prompt", (await ErrorAsync(response, HttpStatusCode.BadRequest)).GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_bad_priority_header_names_it()
    {
        var request = TestGateway.Chat(stream: false, "sk-a");
        request.Headers.Add("x-priority", "urgent");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal("x-priority", (await ErrorAsync(response, HttpStatusCode.BadRequest)).GetProperty("param").GetString());
    }

    [Fact]
    public async Task Oversize_body_is_413()
    {
        using var response = await _gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-a", content: new string('x', 3000)));
        var error = await ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("max_body_bytes", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Rejections_are_counted_by_reason_and_never_accepted()
    {
        using (await _gateway.Client.SendAsync(TestGateway.Chat(stream: false))) { }
        using (await _gateway.Client.SendAsync(TestGateway.Chat(stream: false, "sk-a", model: "nope"))) { }
        Assert.Equal(1, await _gateway.MetricAsync("strata_gateway_requests_rejected_total", ("reason", "unauthorized")));
        Assert.Equal(1, await _gateway.MetricAsync("strata_gateway_requests_rejected_total", ("reason", "unknown_model")));
        Assert.Equal(0, await _gateway.MetricAsync("strata_gateway_requests_accepted_total"));
    }

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error").Clone();
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(p => p.Name).ToArray());
        return error;
    }
}
