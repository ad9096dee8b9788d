using System.Text;
using System.Text.Json;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Serving.Gateway.Config;
using Strata.Serving.OpenAi;
using Strata.Serving.Tests.Emulation;
using Strata.Serving.Tests.Gateway;

namespace Strata.Serving.Tests.Tokenization;

/// <summary>The model's tokenizer in the gateway (<c>tokenizer: {path}</c>) and the emulated engine (<c>--tokenizer</c>).</summary>
public class TokenizerEndToEndTests
{
    // The reference's system + user case (tests/tokenizers/make-qwen3-reference.mjs), as a chat request.
    private const string ChatBody = """{"model": "qwen3-30b-a3b", "max_tokens": 4, "messages": [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What is 2+2?"}]}""";

    private static int ReferenceChatTokens() =>
        Qwen3Tokenizer.Reference().Single(c => c.Text.Contains("What is 2+2?", StringComparison.Ordinal)).Ids.Length;

    [SkippableFact]
    public async Task Gateway_and_emulated_engine_count_a_chat_prompt_as_Qwen3s_tokenizer_does()
    {
        Skip.If(Qwen3Tokenizer.Path() is null, Qwen3Tokenizer.Missing);
        await using var engines = await EmulatedEngines.Start(timeScale: 50, tokenizer: Qwen3Tokenizer.Tokenizer);
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engines.Url], EmulatedEngines.Model, $"    tokenizer: {{path: {Qwen3Tokenizer.Path()}}}\n"));

        using var response = await gateway.Client.SendAsync(TestGateway.Post("/v1/chat/completions", ChatBody));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var expected = ReferenceChatTokens();
        Assert.Equal(expected, JsonDocument.Parse(body).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(expected, await gateway.MetricAsync("strata_gateway_prompt_tokens_sum", ("model", EmulatedEngines.Model)));
    }

    [Fact]
    public async Task Without_a_tokenizer_the_gateway_counts_the_chat_markup_in_four_byte_pseudo_tokens()
    {
        await using var engines = await EmulatedEngines.Start(timeScale: 50);
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engines.Url], EmulatedEngines.Model));

        using var response = await gateway.Client.SendAsync(TestGateway.Post("/v1/chat/completions", ChatBody));

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var markup = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n";
        Assert.Equal(PrefixBlockHasher.EstimateTokens(Encoding.UTF8.GetByteCount(markup)),
            await gateway.MetricAsync("strata_gateway_prompt_tokens_sum", ("model", EmulatedEngines.Model)));
    }

    [Fact]
    public void The_gateway_and_the_emulated_engine_render_chat_alike()
    {
        var body = Encoding.UTF8.GetBytes(ChatBody);
        using var document = JsonDocument.Parse(body);

        using var buffers = new RequestBuffers();
        var gateway = Encoding.UTF8.GetString(CompletionRequestParser.Parse(body, chat: true, buffers).PromptUtf8.Span);
        var engine = Strata.Emulation.EngineRequest.Parse(document.RootElement, Strata.Emulation.CompletionApi.Chat).PromptText;

        Assert.Equal(engine, gateway);
        Assert.EndsWith(ChatMarkup.GenerationPrompt, gateway);
    }

    [Fact]
    public void A_tokenizer_path_that_does_not_exist_stops_the_config_naming_the_field()
    {
        var error = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse(
            "models:\n  - name: m\n    backends: [http://127.0.0.1:9001]\n    tokenizer: {path: /nonexistent/tokenizer.json}\n", "gateway.yaml"));

        Assert.Contains("tokenizer.path", error.Message);
        Assert.Contains("/nonexistent/tokenizer.json does not exist", error.Message);
    }
}
