namespace Strata.Serving.Gateway.Config;

/// <summary>The config in force; a reload swaps it whole, so a request reads one consistent version.</summary>
public sealed class CurrentConfig(GatewayConfig initial)
{
    private volatile GatewayConfig _value = initial;

    public GatewayConfig Value
    {
        get => _value;
        set => _value = value;
    }
}
