namespace Strata.Serving.Gateway.Config;

/// <summary>A gateway config that cannot be served; the message names the file, the field and the fix.</summary>
public sealed class GatewayConfigException(string message) : Exception(message);
