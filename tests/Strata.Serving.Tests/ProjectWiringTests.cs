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
}
