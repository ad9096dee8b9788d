using Strata.Serving.Gateway.Config;

namespace Strata.Serving.Gateway;

/// <summary>How to host a gateway: its config, the file to watch for reloads (none for a fixed config) and its clock.</summary>
public sealed record GatewayOptions(GatewayConfig Config, string? ConfigPath = null)
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The policies the config's names are built from; a host may inject its own.</summary>
    public Core.Policies.PolicyCatalogs Catalogs { get; init; } = Core.Policies.PolicyCatalogs.Standard;
}
