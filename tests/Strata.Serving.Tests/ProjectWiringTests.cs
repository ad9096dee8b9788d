namespace Strata.Serving.Tests;

public sealed class ProjectWiringTests
{
    [Fact]
    public void Serving_assembly_loads_with_its_dependencies()
    {
        var yarp = typeof(Yarp.ReverseProxy.Forwarder.IHttpForwarder).Assembly.GetName().Name;
        var prometheus = typeof(Prometheus.Metrics).Assembly.GetName().Name;
        Assert.Equal("Yarp.ReverseProxy", yarp);
        Assert.Equal("Prometheus.NetStandard", prometheus);
    }

    /// <summary>
    /// The gateway depends on Core, the KV-event protocol, ASP.NET Core, YARP and its exposition and parsing libraries, never on the engine model,
    /// the simulator, the emulator or OR-Tools: walked from the gateway assembly's own references, so a stray
    /// <c>using</c> of any of them fails here.
    /// </summary>
    [Fact]
    public void The_gateways_dependency_closure_holds_only_core_of_strata_and_no_solver()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<System.Reflection.AssemblyName>([typeof(Strata.Serving.Gateway.GatewayHost).Assembly.GetName()]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!) || name.Name!.StartsWith("System", StringComparison.Ordinal) || name.Name.StartsWith("Microsoft", StringComparison.Ordinal)) continue;
            foreach (var reference in System.Reflection.Assembly.Load(name).GetReferencedAssemblies()) pending.Push(reference);
        }

        Assert.Equal(["Strata.Core", "Strata.KvEvents", "Strata.Serving"], seen.Where(n => n.StartsWith("Strata.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(seen, n => n.StartsWith("Google.", StringComparison.Ordinal));
        Assert.Contains("Yarp.ReverseProxy", seen);
    }
}
