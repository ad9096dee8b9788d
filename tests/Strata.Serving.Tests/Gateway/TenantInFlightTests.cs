using Strata.Serving.Gateway.Admission;

namespace Strata.Serving.Tests.Gateway;

public sealed class TenantInFlightTests
{
    [Fact]
    public void A_tenant_holds_at_most_its_limit_and_a_finished_request_frees_a_place_again_and_again()
    {
        var counts = new TenantInFlight();
        for (var round = 0; round < 3; round++)
        {
            Assert.True(counts.TryEnter("a", 2));
            Assert.True(counts.TryEnter("a", 2));
            Assert.False(counts.TryEnter("a", 2));
            Assert.True(counts.TryEnter("b", 2));
            counts.Exit("a");
            counts.Exit("a");
            counts.Exit("b");
        }
        Assert.True(counts.TryEnter("a", null));
    }
}
