using System.Text;
using Strata.Serving.Gateway.Admission;
using Strata.Serving.OpenAi;

namespace Strata.Serving.Tests.Gateway;

/// <summary>The prompt size the shortest-first queue policies order by counts what the chat template adds, not just the messages.</summary>
public sealed class PromptSizeTests
{
    [Fact]
    public void Tools_and_documents_count_toward_a_chat_prompts_size()
    {
        var schema = new string('x', 40_000);
        const string messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        var bare = Tokens($"{{\"model\":\"m\",{messages}}}");
        var withTools = Tokens($"{{\"model\":\"m\",{messages},\"tools\":[{{\"type\":\"function\",\"function\":{{\"name\":\"f\",\"description\":\"{schema}\"}}}}]}}");
        var withDocuments = Tokens($"{{\"model\":\"m\",{messages},\"documents\":[{{\"title\":\"t\",\"text\":\"{schema}\"}}]}}");

        // The message alone is its ChatML rendering in four-byte pseudo-tokens.
        Assert.Equal(Core.Dispatch.PrefixCache.PrefixBlockHasher.EstimateTokens("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n".Length), bare);
        Assert.True(withTools >= bare + 10_000, $"{withTools}");
        Assert.True(withDocuments >= bare + 10_000, $"{withDocuments}");
    }

    /// <summary>The markup is longer than a message without content is in JSON; the prompt buffer must still hold it.</summary>
    [Fact]
    public void Many_messages_without_content_render_whole()
    {
        var messages = string.Join(",", Enumerable.Repeat("{\"role\":\"x\"}", 1000));

        var tokens = Tokens($"{{\"model\":\"m\",\"messages\":[{messages}]}}");

        var markup = string.Concat(Enumerable.Repeat("<|im_start|>x\n<|im_end|>\n", 1000)) + "<|im_start|>assistant\n";
        Assert.Equal(Core.Dispatch.PrefixCache.PrefixBlockHasher.EstimateTokens(markup.Length), tokens);
    }

    private static int Tokens(string json)
    {
        using var buffers = new RequestBuffers();
        return new AdmissionTicket(1, CompletionRequestParser.Parse(Encoding.UTF8.GetBytes(json), chat: true, buffers), null, 0, null, 0, 0).PromptTokens;
    }
}
