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
    /// The gateway's dependency closure (this test project references Strata.Serving alone) has no OR-Tools: the exact
    /// expert solver is wired in by the CLI and the experiments, not by the simulator the emulator drives.
    /// </summary>
    [Fact]
    public void The_gateways_dependency_closure_holds_no_solver()
    {
        var closure = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Strata.Serving.Tests.deps.json"));

        Assert.Contains("Strata.Simulation", closure);
        Assert.DoesNotContain("Google.OrTools", closure);
        Assert.DoesNotContain("Strata.Experts.Solver", closure);
    }
}
