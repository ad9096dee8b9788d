namespace Strata.Core.Policies;

/// <summary>A policy name or parameter that cannot be used; the message names the field and the fix.</summary>
public sealed class PolicyConfigurationException(string message) : Exception(message);
