using Strata.Core.Dispatch;
using Strata.Core.Policies;

namespace Strata.Core.Tests.Admission;

public sealed class PolicyInputsTests
{
    private const SignalFields Scrape = SignalFields.QueueDepth | SignalFields.KvUsage;

    [Theory]
    [InlineData("gimbal-pressure", "", "dispatch.expert_weight: gimbal-pressure weighs expert pressure, which the gateway does not supply")]
    [InlineData("llmd", "precise", "dispatch.prefix_mode: llmd in precise mode learns only from the engines' KV events, which the gateway does not supply")]
    [InlineData("sticky", "", "dispatch.inner.expert_weight: prefix-pressure weighs expert pressure")]
    public void A_dispatch_policy_whose_inputs_the_world_lacks_is_refused_naming_the_option(string name, string mode, string message)
    {
        var parameters = new Dictionary<string, string>();
        if (mode.Length > 0) parameters["prefix_mode"] = mode;
        if (name == "sticky") parameters["inner"] = "prefix-pressure";
        var options = new PolicyOptions(name, parameters, section: "dispatch");

        var error = Assert.Throws<PolicyConfigurationException>(() => PolicyInputs.Check(Policies.Policies.Dispatch.Create(options), options, Scrape, "the gateway"));

        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_policy_is_accepted_where_its_inputs_are_supplied_or_not_needed()
    {
        var pressure = new PolicyOptions("gimbal-pressure", section: "dispatch");
        var noPressure = new PolicyOptions("gimbal-pressure", new Dictionary<string, string> { ["expert_weight"] = "0" }, section: "dispatch");
        var uncached = new PolicyOptions("sjf-uncached", section: "queue");

        PolicyInputs.Check(Policies.Policies.Dispatch.Create(pressure), pressure, Scrape | SignalFields.ExpertPressure, "the simulator");
        PolicyInputs.Check(Policies.Policies.Dispatch.Create(noPressure), noPressure, Scrape, "the gateway");
        PolicyInputs.Check(Policies.Policies.Queue.Create(uncached), uncached, SignalFields.CachedTokens, "an engine");
        Assert.Throws<PolicyConfigurationException>(() => PolicyInputs.Check(Policies.Policies.Queue.Create(uncached), uncached, Scrape, "the gateway"));
    }
}
