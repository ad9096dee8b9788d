using Strata.Serving.Gateway.Config;

namespace Strata.Serving.Gateway;

/// <summary>How to host a gateway: its config, the file to watch for reloads (none for a fixed config) and its clock.</summary>
public sealed record GatewayOptions(GatewayConfig Config, string? ConfigPath = null)
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
