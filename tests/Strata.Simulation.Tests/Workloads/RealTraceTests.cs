using Strata.Core.Data;
using Strata.Simulation.Workloads;

namespace Strata.Simulation.Tests.Workloads;

/// <summary>Each reader on the real traces in data/traces, checked against the facts in data/traces/README.md.</summary>
public class RealTraceTests
{
    [Theory]
    [InlineData("azure-llm-2023-code.csv", 8819, 2048, 27.9, 3436)]
    [InlineData("azure-llm-2023-conv.csv", 19366, 1155, 211, 3502)]
    public void Azure_traces_match_their_published_counts_and_means(string file, int count, double meanContext, double meanGenerated, double seconds)
    {
        var workload = WorkloadCatalog.Open(new WorkloadOptions(DataFolder.Path("traces", file)));

        Assert.Equal(count, workload.Count);
        Assert.Equal(meanContext, workload.MeanPromptTokens, 1.0);
        Assert.Equal(meanGenerated, workload.MeanOutputTokens, 0.5);
        Assert.Equal(0.0, workload.Requests[0].ArrivalTime);
        Assert.Equal(seconds, workload.Duration, 1.0);
    }

    [Fact]
    public void Azure_timestamps_keep_their_sub_second_spacing()
    {
        var workload = WorkloadCatalog.Open(new WorkloadOptions(DataFolder.Path("traces", "azure-llm-2023-code.csv"), Requests: 2));
        // 18:17:03.9799600 then 18:17:04.0319600.
        Assert.Equal(0.052, workload.Requests[1].ArrivalTime, 6);
        Assert.Equal((4808, 10), (workload.Requests[0].PromptTokens, workload.Requests[0].OutputTokens));
    }

    [Theory]
    [InlineData("mooncake-conversation.jsonl", 12031, 12035, 343, 3537, 0.366)]
    [InlineData("mooncake-synthetic.jsonl", 3993, 15325, 149, 1022, 0.640)]
    public void Mooncake_traces_match_their_counts_means_and_prefix_reuse(string file, int count, double meanInput, double meanOutput, double seconds, double leadingHitFraction)
    {
        var workload = WorkloadCatalog.Open(new WorkloadOptions(DataFolder.Path("traces", file)));

        Assert.Equal(count, workload.Count);
        Assert.Equal(meanInput, workload.MeanPromptTokens, 1.0);
        Assert.Equal(meanOutput, workload.MeanOutputTokens, 1.0);
        Assert.Equal(seconds, workload.Duration, 1.0);
        Assert.All(workload.Requests, r =>
        {
            Assert.Equal(r.PromptTokens, r.Prefix.Sum(s => s.Tokens));
            Assert.All(r.Prefix.SkipLast(1), s => Assert.Equal(512, s.Tokens));
        });
        // An unbounded cache hits a block when the same chain of leading ids was seen before.
        Assert.Equal(leadingHitFraction, LeadingPrefixHitFraction(workload), 0.002);
    }

    private static double LeadingPrefixHitFraction(Workload workload)
    {
        var seen = new HashSet<string>();
        long blocks = 0, hits = 0;
        foreach (var request in workload.Requests)
        {
            var chain = "";
            var missed = false;
            foreach (var segment in request.Prefix)
            {
                chain += segment.Key + "/";
                blocks++;
                if (!missed && seen.Contains(chain)) hits++;
                else missed = true;
                seen.Add(chain);
            }
        }

        return hits / (double)blocks;
    }
}
