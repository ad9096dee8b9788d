namespace Strata.Engine.Cluster;

/// <summary>A cluster that cannot be built; the message names the field and the fix.</summary>
public sealed class ClusterConfigException(string message) : Exception(message);
