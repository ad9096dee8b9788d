using Strata.Core.Configuration;
using Strata.Serving.Gateway.Config;

namespace Strata.Serving.Tests.Gateway;

public sealed class GatewayConfigFileTests
{
    private const string Design = """
        listen: http://127.0.0.1:8080
        api_keys: {sk-team-a: team-a, sk-team-b: team-b}
        scrape_interval_ms: 50
        models:
          - name: qwen3-30b-a3b
            engine_type: vllm
            backends: [http://127.0.0.1:9001, http://127.0.0.1:9002]
            queue: {name: sjf-aging, max_length: 1000, ttl_s: 60}
            dispatch: {name: gimbal}
        """;

    [Fact]
    public void Reads_the_design_example()
    {
        var config = GatewayConfigFile.Parse(Design, "gateway.yaml");
        Assert.Equal(new Uri("http://127.0.0.1:8080"), config.Listen);
        Assert.Equal("team-b", config.ApiKeys["sk-team-b"]);
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.ScrapeInterval);
        var model = Assert.Single(config.Models);
        Assert.Equal(("qwen3-30b-a3b", EngineType.Vllm, 2), (model.Name, model.EngineType, model.Backends.Count));
        Assert.Equal(("sjf-aging", 1000, 60.0), (model.Queue.Policy.Name, model.Queue.MaxLength, model.Queue.Ttl.TotalSeconds));
        Assert.Equal("gimbal", model.Dispatch.Name);
        Assert.Equal((256, 32768, 2), (model.MaxInFlightPerBackend, model.MaxTokens, config.Retries));
    }

    [Fact]
    public void A_server_with_data_parallel_ranks_is_one_engine_per_rank_beside_plain_urls()
    {
        var config = GatewayConfigFile.Parse("""
            models:
              - name: m
                backends: [{url: http://10.0.0.5:8000, data_parallel_size: 3}, http://10.0.0.6:8000, {url: http://10.0.0.7:8000}]
            """, "gateway.yaml");

        Assert.Equal(
            ["http://10.0.0.5:8000#dp0", "http://10.0.0.5:8000#dp1", "http://10.0.0.5:8000#dp2", "http://10.0.0.6:8000", "http://10.0.0.7:8000"],
            config.Models[0].Backends.Select(b => b.Name));
        Assert.Equal([0, 1, 2, null, null], config.Models[0].Backends.Select(b => b.Rank));
    }

    /// <summary>A host injects its own policies through the catalogs; the standard ones do not know them.</summary>
    [Fact]
    public void A_policy_injected_through_the_catalogs_is_accepted_by_name()
    {
        var catalogs = Strata.Core.Policies.PolicyCatalogs.Standard with
        {
            Dispatch = new Strata.Core.Policies.PolicyCatalog<Strata.Core.Dispatch.IEngineSelector>("dispatch policy")
                .Add("first", _ => new Strata.Core.Dispatch.RoundRobinSelector()),
        };
        var yaml = Design.Replace("{name: gimbal}", "{name: first}");

        Assert.Equal("first", GatewayConfigFile.Parse(yaml, "gateway.yaml", catalogs).Models[0].Dispatch.Name);
        Assert.Contains("unknown dispatch policy 'first'", Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse(yaml, "gateway.yaml")).Message);
    }

    [Fact]
    public void Precise_prefix_mode_is_accepted_when_every_backend_has_a_kv_event_source()
    {
        const string Models = """
            models:
              - name: m
                backends: [{url: http://10.0.0.5:8000, data_parallel_size: 2, kv_events: {endpoint: tcp://10.0.0.5:5557, replay_endpoint: tcp://10.0.0.5:5560}}, BACKEND]
                dispatch: {name: llmd, prefix_mode: precise}
            """;

        var config = GatewayConfigFile.Parse(Models.Replace("BACKEND", "{url: http://10.0.0.6:8000, kv_events: tcp://10.0.0.6:5557}"), "gateway.yaml");
        var refused = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse(Models.Replace("BACKEND", "http://10.0.0.6:8000"), "gateway.yaml"));
        var bind = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse(Models.Replace("BACKEND", "{url: http://10.0.0.6:8000, kv_events: tcp://*:5557}"), "gateway.yaml"));

        Assert.Equal(new Strata.Serving.Gateway.Config.KvEventSource("tcp://10.0.0.5:5557", "tcp://10.0.0.5:5560"), config.Models[0].Backends[1].KvEvents);
        Assert.Equal("tcp://10.0.0.6:5557", config.Models[0].Backends[2].KvEvents!.Endpoint);
        Assert.Contains("prefix_mode: llmd in precise mode learns only from the engines' KV events, which the gateway does not supply", refused.Message);
        Assert.Contains("kv_events: 'tcp://*:5557' is not a tcp://host:port to connect to", bind.Message);
    }

    [Theory]
    [InlineData("scrape_interval_ms: 50", "scrap_interval_ms: 50", "gateway.yaml: scrap_interval_ms: unknown setting")]
    [InlineData("scrape_interval_ms: 50", "scrape_interval_ms: fast", "gateway.yaml: scrape_interval_ms: 'fast' is not a whole number")]
    [InlineData("engine_type: vllm", "engine_type: trt", "gateway.yaml: models[0].engine_type: unknown engine type 'trt'")]
    [InlineData("http://127.0.0.1:9002", "127.0.0.1:9002", "gateway.yaml: models[0].backends[1]: '127.0.0.1:9002' is not an http(s) URL")]
    [InlineData("http://127.0.0.1:9002", "http://127.0.0.1:9001", "models[0].backends[1]: http://127.0.0.1:9001/ is listed twice")]
    [InlineData("{name: gimbal}", "{name: gimbl}", "models[0].dispatch: unknown dispatch policy 'gimbl'")]
    [InlineData("{name: gimbal}", "{name: gimbal, theta_kv: 2}", "models[0].dispatch.theta_kv: '2' is not a number")]
    [InlineData("max_length: 1000", "max_length: -1", "models[0].queue.max_length: '-1' is not a whole number ≥ 0")]
    [InlineData("ttl_s: 60", "ttl_s: 0", "models[0].queue.ttl_s: '0' is not a number")]
    [InlineData("sjf-aging, max_length", "sjf-aging, theta: 3, max_length", "models[0].queue.theta: 'sjf-aging' has no parameter 'theta'")]
    [InlineData("    dispatch: {name: gimbal}", "    dispatch: {name: gimbal}\n    colour: blue", "models[0].colour: unknown setting")]
    [InlineData("listen: http://127.0.0.1:8080", "listen: tcp://0.0.0.0", "gateway.yaml: listen: 'tcp://0.0.0.0' is not an address to listen on")]
    [InlineData("listen: http://127.0.0.1:8080", "listen: https://127.0.0.1:8443", "gateway.yaml: listen: 'https://127.0.0.1:8443' is not an address to listen on like http://127.0.0.1:8080 (http only, no path")]
    [InlineData("listen: http://127.0.0.1:8080", "listen: http://127.0.0.1:8080/gateway", "gateway.yaml: listen: 'http://127.0.0.1:8080/gateway' is not an address to listen on")]
    [InlineData("scrape_interval_ms: 50", "scrape_interval_ms: 2000000000", "gateway.yaml: scrape_interval_ms: '2000000000' is not a whole number in [1, 60000]")]
    [InlineData("scrape_interval_ms: 50", "upstream_idle_timeout_s: 1e300", "gateway.yaml: upstream_idle_timeout_s: '1e300' is not a number in [0.001, 86400]")]
    [InlineData("ttl_s: 60", "ttl_s: 1e300", "models[0].queue.ttl_s: '1e300' is not a number in [0.001, 86400]")]
    // Options the gateway cannot feed are refused, never accepted and ignored.
    [InlineData("{name: gimbal}", "{name: llmd, prefix_mode: precise}", "models[0].dispatch.prefix_mode: llmd in precise mode learns only from the engines' KV events, which the gateway does not supply")]
    [InlineData("{name: gimbal}", "{name: gimbal-pressure}", "models[0].dispatch.expert_weight: gimbal-pressure weighs expert pressure, which the gateway does not supply")]
    [InlineData("{name: gimbal}", "{name: sticky, inner: prefix-pressure}", "models[0].dispatch.inner.expert_weight: prefix-pressure weighs expert pressure")]
    [InlineData("backends: [http://127.0.0.1:9001, http://127.0.0.1:9002]", "backends: [{url: http://127.0.0.1:9001, data_parallel_size: 0}]", "models[0].backends[0].data_parallel_size: '0' is not a whole number")]
    [InlineData("backends: [http://127.0.0.1:9001, http://127.0.0.1:9002]", "backends: [{data_parallel_size: 2}]", "models[0].backends[0].url: missing")]
    [InlineData("backends: [http://127.0.0.1:9001, http://127.0.0.1:9002]", "backends: [{url: http://127.0.0.1:9001, ranks: 2}]", "models[0].backends[0].ranks: unknown setting")]
    [InlineData("backends: [http://127.0.0.1:9001, http://127.0.0.1:9002]", "backends: [http://127.0.0.1:9001, {url: http://127.0.0.1:9001, data_parallel_size: 2}]", "is listed twice")]
    [InlineData("sjf-aging, max_length", "sjf-uncached, max_length", "models[0].queue.name: sjf-uncached orders by prompt tokens not in the prefix cache")]
    public void Bad_values_fail_naming_the_field(string find, string replace, string message)
    {
        var error = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse(Design.Replace(find, replace), "gateway.yaml"));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_pressure_policy_without_the_expert_term_is_accepted()
    {
        var config = GatewayConfigFile.Parse(Design.Replace("{name: gimbal}", "{name: prefix-pressure, expert_weight: 0}"), "gateway.yaml");
        Assert.Equal("prefix-pressure", config.Models[0].Dispatch.Name);
    }

    [Theory]
    [InlineData("listen: http://127.0.0.1:1\n", "gateway.yaml: models: expected a list of models")]
    [InlineData("models:\n  - name: m\n", "gateway.yaml: models[0].backends: expected a list of engine URLs")]
    [InlineData("models:\n  - backends: [http://a:1]\n", "gateway.yaml: models[0].name: missing")]
    [InlineData("models: [{name: m, backends: [http://a:1]}, {name: m, backends: [http://b:1]}]\n", "model 'm' is listed twice")]
    [InlineData("models: [{name: m, backends: [http://a:1]}, {name: n, engine_type: sglang, backends: [http://a:1]}]\n", "backend http://a:1/ is also listed as vllm")]
    [InlineData("models: [\n", "gateway.yaml: malformed YAML at line")]
    [InlineData("api_keys: {k: a}\ntenants: {b: {priority: 1}}\nmodels: [{name: m, backends: [http://a:1]}]\n", "gateway.yaml: tenants.b: no key in api_keys belongs to tenant 'b'")]
    [InlineData("api_keys: {k: a}\ntenants: {a: {models: [n]}}\nmodels: [{name: m, backends: [http://a:1]}]\n", "gateway.yaml: tenants.a.models: no model named 'n' is served")]
    [InlineData("api_keys: {k: a}\ntenants: {a: {priority: 5, priority_range: [0, 3]}}\nmodels: [{name: m, backends: [http://a:1]}]\n", "gateway.yaml: tenants.a.priority_range: expected [lowest, highest] whole numbers around its priority (5)")]
    [InlineData("api_keys: {k: a}\ntenants: {a: {max_in_flight: 0}}\nmodels: [{name: m, backends: [http://a:1]}]\n", "gateway.yaml: tenants.a.max_in_flight: '0' is not a whole number ≥ 1")]
    [InlineData("api_keys: {k: a}\ntenants: {a: {colour: blue}}\nmodels: [{name: m, backends: [http://a:1]}]\n", "gateway.yaml: tenants.a.colour: unknown setting")]
    public void Structural_mistakes_fail_naming_the_field(string yaml, string message)
    {
        var error = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse(yaml, "gateway.yaml"));
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(YamlMap.MaxDepth + 1)]
    public void A_file_nested_too_deep_is_refused_without_overflowing_the_stack(int depth)
    {
        var yaml = "models: " + new string('[', depth) + new string(']', depth) + "\n";

        var error = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse(yaml, "gateway.yaml"));

        Assert.Contains($"nested more than {YamlMap.MaxDepth} levels deep", error.Message);
    }
}
