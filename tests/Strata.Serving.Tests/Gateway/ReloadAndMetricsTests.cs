using Strata.Serving.Gateway.Config;
using Strata.Serving.Gateway.Backends;

namespace Strata.Serving.Tests.Gateway;

public sealed class ReloadAndMetricsTests
{
    [Fact]
    public async Task Editing_the_config_file_changes_the_backends_while_serving()
    {
        await using var first = await FakeEngine.StartAsync("first");
        await using var second = await FakeEngine.StartAsync("second");
        var directory = Directory.CreateTempSubdirectory("strata-gateway-");
        var path = Path.Combine(directory.FullName, "gateway.yaml");
        await File.WriteAllTextAsync(path, "listen: http://127.0.0.1:0\n" + TestGateway.Config([first]));
        await using var gateway = await TestGateway.StartAsync(GatewayConfigFile.Load(path), path);

        using (var before = await gateway.Client.SendAsync(TestGateway.Chat(stream: false)))
            Assert.Equal(first.JsonBody(chat: true), await before.Content.ReadAsStringAsync());

        // Written aside and moved over the file, as editors and config management do, so no half-written file is read.
        var staged = path + ".new";
        await File.WriteAllTextAsync(staged, "listen: http://127.0.0.1:0\n" + TestGateway.Config([second]));
        File.Move(staged, path, overwrite: true);

        await TestGateway.EventuallyAsync(async () =>
        {
            using var response = await gateway.Client.SendAsync(TestGateway.Chat(stream: false));
            return await response.Content.ReadAsStringAsync() == second.JsonBody(chat: true);
        }, "requests go to the engine the new config names");
        var servedByFirst = first.CompletionRequests;
        for (var i = 0; i < 3; i++) using (await gateway.Client.SendAsync(TestGateway.Chat(stream: false))) { }
        Assert.Equal(servedByFirst, first.CompletionRequests);
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task An_invalid_edit_keeps_the_previous_config()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        var directory = Directory.CreateTempSubdirectory("strata-gateway-");
        var path = Path.Combine(directory.FullName, "gateway.yaml");
        await File.WriteAllTextAsync(path, "listen: http://127.0.0.1:0\n" + TestGateway.Config([engine]));
        await using var gateway = await TestGateway.StartAsync(GatewayConfigFile.Load(path), path);

        await File.WriteAllTextAsync(path, "listen: http://127.0.0.1:0\nmodels: oops\n");
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_config_reloads_total", ("result", "rejected")) >= 1, "the bad edit is read");
        using (var stillServing = await gateway.Client.SendAsync(TestGateway.Chat(stream: false)))
            Assert.Equal(200, (int)stillServing.StatusCode);

        await File.WriteAllTextAsync(path, "listen: http://127.0.0.1:0\n" + TestGateway.Config([engine], "    max_tokens: 5\n"));
        await TestGateway.EventuallyAsync(async () =>
        {
            using var response = await gateway.Client.SendAsync(TestGateway.Post("/v1/chat/completions", "{\"model\":\"m\",\"max_tokens\":6,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
            return (int)response.StatusCode == 400;
        }, "the valid edit is applied");
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task The_metrics_exposition_parses_and_has_every_gateway_series()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine], "    dispatch: {name: gimbal}\n    queue: {name: sjf-aging}\n"));
        using (await gateway.Client.SendAsync(TestGateway.Chat(stream: true))) { }
        using (await gateway.Client.SendAsync(TestGateway.Chat(stream: false))) { }

        var samples = await gateway.MetricsAsync();

        var names = samples.Select(s => s.Name).ToHashSet();
        foreach (var name in new[]
        {
            "strata_gateway_requests_accepted_total", "strata_gateway_requests_finished_total", "strata_gateway_queue_length",
            "strata_gateway_queue_wait_seconds_bucket", "strata_gateway_backend_in_flight", "strata_gateway_ttft_seconds_bucket",
            "strata_gateway_tpot_seconds_sum", "strata_gateway_dispatch_decisions_total",
        })
            Assert.Contains(name, names);
        Assert.Equal(2, samples.Single(s => s.Name == "strata_gateway_dispatch_decisions_total").Value);
        Assert.Equal("gimbal", samples.Single(s => s.Name == "strata_gateway_dispatch_decisions_total").Label("policy"));
        Assert.Equal(1, samples.Single(s => s.Name == "strata_gateway_ttft_seconds_bucket" && s.Label("le") == "+Inf").Value);
        Assert.Equal(2, samples.Where(s => s.Name == "strata_gateway_requests_finished_total").Sum(s => s.Value));
    }

    [Fact]
    public async Task The_gateway_reads_the_engines_load_signals()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine]));
        var state = gateway.State;

        await TestGateway.EventuallyAsync(async () => state.Models["m"].Backends[0].Signals is not null, "the first scrape lands");

        var scheduler = state.Models["m"];
        scheduler.Pump(); // a decision point: the scrape is published into the backend's ledger
        var view = scheduler.Backends[0].Ledger.View(0, scheduler.Seconds(TimeProvider.System.GetTimestamp()), Backend.ScrapedSignals, eligible: true);
        Assert.Equal(0.25, view.KvUsage);
        Assert.Equal(16_000, view.KvCapacityTokens);
        Assert.True(view.SignalAge < 30);
    }

    [Fact]
    public async Task Metrics_answer_GET_only()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config([engine]));

        using var post = await gateway.Client.PostAsync("/metrics", new StringContent(""));
        using var delete = await gateway.Client.DeleteAsync("/metrics");
        using var get = await gateway.Client.GetAsync("/metrics");

        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task A_reload_that_changes_listen_is_rejected_not_reported_as_applied()
    {
        await using var engine = await FakeEngine.StartAsync("a");
        var directory = Directory.CreateTempSubdirectory("strata-gateway-");
        var path = Path.Combine(directory.FullName, "gateway.yaml");
        await File.WriteAllTextAsync(path, "listen: http://127.0.0.1:0\n" + TestGateway.Config([engine]));
        await using var gateway = await TestGateway.StartAsync(GatewayConfigFile.Load(path), path);

        await File.WriteAllTextAsync(path, "listen: http://127.0.0.1:1\n" + TestGateway.Config([engine], "    max_tokens: 5\n"));
        await TestGateway.EventuallyAsync(async () => await gateway.MetricAsync("strata_gateway_config_reloads_total", ("result", "rejected")) >= 1, "the edit is read");

        Assert.Equal(0, await gateway.MetricAsync("strata_gateway_config_reloads_total", ("result", "applied")));
        Assert.Equal(new Uri("http://127.0.0.1:0"), gateway.State.Config.Listen);
        Assert.Equal(32768, gateway.State.Models["m"].Settings.MaxTokens);
        directory.Delete(recursive: true);
    }
}
