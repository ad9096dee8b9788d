using System.Net;
using System.Text;
using System.Text.Json;

namespace Strata.Serving.Tests.Gateway;

/// <summary>
/// Text the gateway reads that is not valid Unicode — invalid UTF-8 bytes, or an unpaired
/// surrogate escape such as \ud800 — is the client's 400 naming the field, counted as rejected.
/// </summary>
public sealed class InvalidTextTests : IAsyncLifetime
{
    private const string LoneSurrogate = "\\ud800";
    private const string BadUtf8 = "\u00ff"; // replaced below by a raw 0xFF byte, which is never valid UTF-8

    private FakeEngine _engine = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _engine = await FakeEngine.StartAsync("a");
        _gateway = await TestGateway.StartAsync(TestGateway.Config([_engine]));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _engine.DisposeAsync();
    }

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var bad in new[] { LoneSurrogate, BadUtf8 })
        {
            data.Add("/v1/chat/completions", $"{{\"model\":\"m{bad}\",\"messages\":[{{\"role\":\"user\",\"content\":\"x\"}}]}}", "model");
            data.Add("/v1/chat/completions", $"{{\"model\":\"m\",\"messages\":[{{\"role\":\"u{bad}\",\"content\":\"x\"}}]}}", "messages[0].role");
            data.Add("/v1/chat/completions", $"{{\"model\":\"m\",\"messages\":[{{\"role\":\"user\",\"content\":\"x{bad}\"}}]}}", "messages[0].content");
            data.Add("/v1/chat/completions", $"{{\"model\":\"m\",\"messages\":[{{\"role\":\"user\",\"content\":[{{\"type\":\"text\",\"text\":\"x{bad}\"}}]}}]}}", "messages[0].content[0].text");
            data.Add("/v1/chat/completions", $"{{\"model\":\"m\",\"user\":\"u{bad}\",\"messages\":[{{\"role\":\"user\",\"content\":\"x\"}}]}}", "user");
            data.Add("/v1/completions", $"{{\"model\":\"m\",\"prompt\":\"x{bad}\"}}", "prompt");
            data.Add("/v1/completions", $"{{\"model\":\"m\",\"prompt\":[\"ok\",\"x{bad}\"]}}", "prompt[1]");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Invalid_text_in_a_parsed_field_is_a_400_naming_it_and_counted(string path, string json, string param)
    {
        var bytes = Encoding.UTF8.GetBytes(json.Replace(BadUtf8, "\u0001")).Select(b => b == 0x01 ? (byte)0xFF : b).ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(param, error.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(1, await _gateway.MetricAsync("strata_gateway_requests_rejected_total", ("reason", "invalid_request")));
        Assert.Equal(0, await _gateway.MetricAsync("strata_gateway_requests_accepted_total"));
        Assert.Equal(0, _engine.CompletionRequests);
    }
}
