using Strata.Core.Dispatch;
using Strata.Core.Policies;

namespace Strata.Core.Tests.Dispatch;

public class DispatchCatalogTests
{
    private static IEngineSelector Create(string name, params (string Key, string Value)[] parameters) =>
        Policies.Policies.Dispatch.Create(new PolicyOptions(name, parameters.ToDictionary(p => p.Key, p => p.Value), "dispatch"));

    [Fact]
    public void Every_dispatch_policy_is_registered_under_its_own_name()
    {
        string[] expected = ["dynamo-kv", "gimbal", "gimbal-pressure", "least-load", "llmd", "power-of-two", "prefix-pressure", "round-robin", "sglang-cache-aware", "sticky", "vllm-dp"];
        Assert.Equal(expected, Policies.Policies.Dispatch.Names);
        Assert.All(expected, name => Assert.Equal(name, Create(name).Name));
    }

    [Fact]
    public void Parameters_are_read_in_snake_case()
    {
        var gimbal = (GimbalCascadeSelector)Create("gimbal", ("theta_kv", "0.8"), ("theta_diff", "0.2"), ("theta_load", "5000"),
            ("sticky_ttl_s", "60"), ("max_signal_age_s", "2"), ("default", "vllm-dp"));
        Assert.Equal(new GimbalThresholds(0.8, 0.2, 5000, 60, 2), gimbal.Thresholds);
        Assert.Equal(VllmDataParallelRule.Current, ((VllmDataParallelSelector)Create("vllm-dp", ("rule", "current"))).Rule);
    }

    [Theory]
    [InlineData("gimbal", "theta_kvv", "dispatch.theta_kvv: 'gimbal' has no parameter 'theta_kvv'")]
    [InlineData("least-load", "seed", "dispatch.seed: 'least-load' has no parameter 'seed'; it takes no parameters")]
    [InlineData("llmd", "temperature", "dispatch.temperature: 'llmd' has no parameter 'temperature'")]
    public void Unknown_keys_are_rejected_naming_the_key(string name, string key, string message)
    {
        var error = Assert.Throws<PolicyConfigurationException>(() => Create(name, (key, "1")));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Bad_values_name_the_field_and_the_choices()
    {
        Assert.Contains("dispatch.default: 'fcfs' is not one of round-robin, vllm-dp",
            Assert.Throws<PolicyConfigurationException>(() => Create("gimbal", ("default", "fcfs"))).Message);
        Assert.Contains("dispatch.theta_kv: '1.5' is not a number in [0, 1]",
            Assert.Throws<PolicyConfigurationException>(() => Create("gimbal", ("theta_kv", "1.5"))).Message);
        Assert.Contains("dispatch.prefix_mode: 'exact' is not one of approximate, precise",
            Assert.Throws<PolicyConfigurationException>(() => Create("dynamo-kv", ("prefix_mode", "exact"))).Message);
    }

    [Fact]
    public void Sticky_wraps_a_named_inner_policy_but_not_itself()
    {
        Assert.Equal("sticky", Create("sticky", ("inner", "gimbal-pressure")).Name);
        Assert.Contains("dispatch.inner: unknown dispatch policy 'nope'",
            Assert.Throws<PolicyConfigurationException>(() => Create("sticky", ("inner", "nope"))).Message);
        Assert.Contains("dispatch.inner: 'sticky' cannot wrap itself",
            Assert.Throws<PolicyConfigurationException>(() => Create("sticky", ("inner", "sticky"))).Message);
    }
}
