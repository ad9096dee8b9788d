using Strata.Simulation.Workloads;
using Strata.Engine;

namespace Strata.Simulation.Tests.Workloads;

/// <summary>Small inline traces for the formats without a real file here, and malformed input.</summary>
public sealed class TraceFixtureTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("strata-workloads-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private Workload Open(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return WorkloadCatalog.Open(new WorkloadOptions(path));
    }

    private string OpenFails(string name, string text) =>
        Assert.Throws<WorkloadException>(() => Open(name, text)).Message;

    [Fact]
    public void BurstGpt_columns_are_found_by_name_and_failed_rows_are_skipped()
    {
        var workload = Open("burstgpt.csv", """
            Timestamp,Session ID,Elapsed time,Model,Request tokens,Response tokens,Total tokens,Log Type
            5,s1,2.5,ChatGPT,472,18,490,Conversation log
            45,s1,3.0,ChatGPT,1087,230,1317,Conversation log
            118,,1.2,GPT-4,417,276,693,API log
            1106,s2,0.0,ChatGPT,0,0,0,Conversation log
            """);

        Assert.Equal(3, workload.Count);
        Assert.Equal([0.0, 40.0, 113.0], workload.Requests.Select(r => r.ArrivalTime));
        Assert.Equal([472, 1087, 417], workload.Requests.Select(r => r.PromptTokens));
        Assert.Equal([18, 230, 276], workload.Requests.Select(r => r.OutputTokens));
        Assert.Equal(["s1", "s1", null], workload.Requests.Select(r => r.Session));
        Assert.Equal(["ChatGPT", "ChatGPT", "GPT-4"], workload.Requests.Select(r => r.Tenant));
    }

    [Fact]
    public void BurstGpt_old_six_column_release_reads_too()
    {
        var workload = Open("BurstGPT_1.csv", """
            Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
            10,GPT-4,100,50,150,Conversation log
            12,ChatGPT,200,60,260,Conversation log
            """);

        Assert.Equal([(0.0, 100, 50), (2.0, 200, 60)], workload.Requests.Select(r => (r.ArrivalTime, r.PromptTokens, r.OutputTokens)));
    }

    [Fact]
    public void LlmServingSim_arrivals_are_nanoseconds_and_token_ids_are_ignored()
    {
        var workload = Open("sharegpt-qwen3.jsonl", """
            {"input_toks": 120, "output_toks": 30, "arrival_time_ns": 0, "input_tok_ids": [1, 2, 3]}
            {"input_toks": 64, "output_toks": 0, "arrival_time_ns": 1500000000}

            {"input_toks": 900, "output_toks": 7, "arrival_time_ns": 250000000}
            """);

        Assert.Equal([(0.0, 120, 30), (0.25, 900, 7), (1.5, 64, 1)], workload.Requests.Select(r => (r.ArrivalTime, r.PromptTokens, r.OutputTokens)));
    }

    [Fact]
    public void Native_lines_carry_identity_priority_and_prefix_blocks()
    {
        var workload = Open("mine.jsonl", """
            {"arrival_s": 0.5, "prompt_tokens": 40, "output_tokens": 240, "user": "u17", "session": "s3", "priority": 2, "domain": "code", "tenant": "team-a", "prefix_blocks": [7, 8, 9]}
            {"arrival_s": 0.0, "prompt_tokens": 812, "output_tokens": 10, "user": 17, "prefix_blocks": [1, 2], "prefix_block_tokens": 512}
            {"arrival_s": 1.0, "prompt_tokens": 5, "output_tokens": 1}
            """);

        var (first, second, third) = (workload.Requests[0], workload.Requests[1], workload.Requests[2]);
        Assert.Equal((0.0, 812, 10, "17"), (first.ArrivalTime, first.PromptTokens, first.OutputTokens, first.User));
        Assert.Equal([new PrefixSegment(1, 512), new PrefixSegment(2, 300)], first.Prefix);
        Assert.Equal(("u17", "s3", 2, "code", "team-a"), (second.User, second.Session, second.Priority, second.Domain, second.Tenant));
        // Default blocks of 16 tokens; the last one holds what is left of the 40-token prompt.
        Assert.Equal([new PrefixSegment(7, 16), new PrefixSegment(8, 16), new PrefixSegment(9, 8)], second.Prefix);
        Assert.Equal((0, false), (third.Priority, third.OutputContinuesPrefix));
        Assert.Empty(third.Prefix);
    }

    [Fact]
    public void A_non_number_in_an_azure_row_names_file_line_and_field()
    {
        var message = OpenFails("azure-llm-2023-code.csv", """
            TIMESTAMP,ContextTokens,GeneratedTokens
            2023-11-16 18:17:03.9799600,4808,10
            2023-11-16 18:17:04.0319600,abc,8
            """);

        Assert.Equal("azure-llm-2023-code.csv line 3: ContextTokens 'abc' is not a whole number", message);
    }

    [Fact]
    public void A_bad_azure_timestamp_names_the_field()
    {
        var message = OpenFails("azure.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,10,10\n");
        Assert.StartsWith("azure.csv line 2: TIMESTAMP 'yesterday'", message);
    }

    [Theory]
    [InlineData("{\"timestamp\": 0, \"input_length\": 0, \"output_length\": 5, \"hash_ids\": []}", "line 2: input_length 0 must be at least 1")]
    [InlineData("{\"timestamp\": 0, \"output_length\": 5}", "line 2: input_length is missing")]
    [InlineData("{\"timestamp\": 0, \"input_length\": 600, \"output_length\": \"5\", \"hash_ids\": [1, 2]}", "line 2: output_length \"5\" is not a whole number")]
    [InlineData("{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [1, 2, 3]}", "line 2: hash_ids has 3 blocks of 512 tokens")]
    [InlineData("{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [1, -2]}", "line 2: hash_ids item -2 is not a non-negative whole number")]
    [InlineData("{\"timestamp\": 0, \"input_length\": 600,", "line 2: not valid JSON")]
    public void Malformed_mooncake_lines_name_the_line_and_field(string secondLine, string expected)
    {
        var message = OpenFails("kimi.jsonl", "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [1, 2]}\n" + secondLine + "\n");
        Assert.StartsWith("kimi.jsonl " + expected, message);
    }

    [Fact]
    public void A_mooncake_line_without_hash_ids_shares_no_prefix_and_a_zero_output_becomes_one_token()
    {
        var workload = Open("kimi.jsonl", "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 0}\n");
        Assert.Equal((600, 1), (workload.Requests[0].PromptTokens, workload.Requests[0].OutputTokens));
        Assert.Empty(workload.Requests[0].Prefix);
    }

    [Theory]
    [InlineData("{\"arrival_s\": -1, \"prompt_tokens\": 5, \"output_tokens\": 1}", "mine.jsonl line 1: arrival_s -1 is negative")]
    [InlineData("{\"arrival_s\": 0, \"prompt_tokens\": -3, \"output_tokens\": 1}", "mine.jsonl line 1: prompt_tokens -3 must be at least 1")]
    [InlineData("{\"arrival_s\": 0, \"prompt_tokens\": 5, \"output_tokens\": 1, \"prefix_block_tokens\": 0}", "mine.jsonl line 1: prefix_block_tokens 0 must be at least 1")]
    [InlineData("{\"arrival_s\": 0, \"prompt_tokens\": 5, \"output_tokens\": 1, \"user\": [1]}", "mine.jsonl line 1: user [1] is not a string")]
    [InlineData("{\"arrival_s\": \"soon\", \"prompt_tokens\": 5, \"output_tokens\": 1}", "mine.jsonl line 1: arrival_s \"soon\" is not a number")]
    public void Malformed_native_lines_name_the_line_and_field(string line, string expected)
    {
        Assert.StartsWith(expected, OpenFails("mine.jsonl", line + "\n"));
    }

    [Fact]
    public void BurstGpt_zero_prompt_with_an_answer_is_rejected_with_its_line()
    {
        var message = OpenFails("burst.csv", "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n1,GPT-4,0,20,20,API log\n");
        Assert.StartsWith("burst.csv line 2: Request tokens 0 must be at least 1", message);
    }

    [Theory]
    [InlineData("trace.csv", "when,prompt,answer\n1,2,3\n", "trace.csv line 1: not a known CSV trace")]
    [InlineData("trace.jsonl", "{\"t\": 1}\n", "trace.jsonl line 1: not a known JSONL trace")]
    [InlineData("trace.jsonl", "\n\n", "trace.jsonl is empty")]
    [InlineData("azure.csv", "TIMESTAMP,ContextTokens\n2023-11-16 18:17:03,5\n", "azure.csv line 1: column 'GeneratedTokens' is missing")]
    [InlineData("azure.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03,5\n", "azure.csv line 2: expected 3 comma-separated fields")]
    public void Unrecognised_or_short_files_say_what_was_expected(string name, string text, string expected)
    {
        Assert.StartsWith(expected, OpenFails(name, text));
    }

    [Fact]
    public void A_trace_with_an_unknown_extension_is_sniffed_from_its_first_line()
    {
        var workload = Open("trace.txt", "{\"arrival_s\": 0, \"prompt_tokens\": 5, \"output_tokens\": 1}\n");
        Assert.Equal(5, workload.Requests[0].PromptTokens);
    }
}
