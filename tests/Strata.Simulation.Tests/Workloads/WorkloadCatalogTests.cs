using Strata.Core.Data;
using Strata.Simulation.Workloads;

namespace Strata.Simulation.Tests.Workloads;

public class WorkloadCatalogTests
{
    [Fact]
    public void Presets_are_the_five_shapes_and_chat()
    {
        Assert.Equal(["random", "central", "descending", "two-end", "average", "chat"], WorkloadCatalog.Presets);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("two-end")]
    [InlineData("chat")]
    public void Same_seed_gives_an_identical_request_list(string preset)
    {
        var first = Fingerprint(WorkloadCatalog.Open(new WorkloadOptions(preset, Burstiness: 0.5, Seed: 12)));
        var second = Fingerprint(WorkloadCatalog.Open(new WorkloadOptions(preset, Burstiness: 0.5, Seed: 12)));
        var other = Fingerprint(WorkloadCatalog.Open(new WorkloadOptions(preset, Burstiness: 0.5, Seed: 13)));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_shape_preset_defaults_to_a_thousand_requests_at_gimbal_s_top_rate()
    {
        var workload = WorkloadCatalog.Open(new WorkloadOptions("central", Seed: 1));

        Assert.Equal("central", workload.Name);
        Assert.Equal(1000, workload.Count);
        Assert.Equal(1000 / 1.4, workload.Duration, 6);
        Assert.InRange(workload.MeanPromptTokens, 5000, 6000);
        Assert.All(workload.Requests, r => Assert.Contains(r.Domain, RequestDomains.All));
        Assert.Equal(RequestDomains.All.Count, workload.Requests.Select(r => r.Domain).Distinct().Count());
        Assert.All(workload.Requests, r => Assert.Empty(r.Prefix));
    }

    [Fact]
    public void Changing_only_the_rate_keeps_every_request_s_lengths()
    {
        var slow = WorkloadCatalog.Open(new WorkloadOptions("descending", Rate: 1.0, Seed: 4));
        var fast = WorkloadCatalog.Open(new WorkloadOptions("descending", Rate: 1.4, Seed: 4));

        Assert.Equal(slow.Requests.Select(r => (r.PromptTokens, r.OutputTokens)), fast.Requests.Select(r => (r.PromptTokens, r.OutputTokens)));
        Assert.Equal(1000.0, slow.Duration, 6);
    }

    [Fact]
    public void Requests_are_sorted_by_arrival()
    {
        var workload = WorkloadCatalog.Open(new WorkloadOptions("chat", Requests: 500, Seed: 2));
        Assert.True(workload.Requests.Zip(workload.Requests.Skip(1)).All(p => p.First.ArrivalTime <= p.Second.ArrivalTime));
    }

    [Fact]
    public void An_unknown_name_that_is_no_file_lists_the_presets()
    {
        var error = Assert.Throws<WorkloadException>(() => WorkloadCatalog.Open(new WorkloadOptions("centre")));
        Assert.Contains("'centre'", error.Message);
        Assert.All(WorkloadCatalog.Presets, p => Assert.Contains(p, error.Message));
    }

    [Fact]
    public void A_missing_trace_file_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir", "trace.jsonl");
        var error = Assert.Throws<WorkloadException>(() => WorkloadCatalog.Open(new WorkloadOptions(path)));
        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData(-1.0, 1.0, null, "--rate")]
    [InlineData(1.0, 0.0, null, "--burstiness")]
    [InlineData(1.0, 1.0, 0, "--requests")]
    public void Bad_options_fail_in_open_naming_the_option(double rate, double burstiness, int? requests, string option)
    {
        var error = Assert.Throws<WorkloadException>(() => WorkloadCatalog.Open(new WorkloadOptions("random", rate, burstiness, requests)));
        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void A_trace_keeps_its_arrivals_unless_a_rate_is_given_and_requests_cuts_it()
    {
        var path = DataFolder.Path("traces", "azure-llm-2023-conv.csv");
        var own = WorkloadCatalog.Open(new WorkloadOptions(path, Requests: 100));
        var paced = WorkloadCatalog.Open(new WorkloadOptions(path, Rate: 2.0, Requests: 100, Seed: 1));

        Assert.Equal("azure-llm-2023-conv.csv", own.Name);
        Assert.Equal(100, own.Count);
        Assert.Equal(0.0, own.Requests[0].ArrivalTime);
        Assert.Equal(50.0, paced.Duration, 6);
        // Regenerated arrivals keep the trace's order of requests.
        Assert.Equal(own.Requests.Select(r => r.PromptTokens), paced.Requests.Select(r => r.PromptTokens));
    }

    private static string Fingerprint(Workload workload) => string.Join('\n', workload.Requests.Select(r =>
        $"{r.ArrivalTime:R} {r.PromptTokens} {r.OutputTokens} {r.User} {r.Session} {r.Tenant} {r.Domain} {r.OutputContinuesPrefix} " +
        string.Join(',', r.Prefix.Select(s => $"{s.Key}:{s.Tokens}"))));
}
