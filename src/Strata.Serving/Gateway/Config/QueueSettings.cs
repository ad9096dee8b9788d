using Strata.Core.Policies;

namespace Strata.Serving.Gateway.Config;

/// <summary>A model's admission queue: its Strata.Core policy by name, its bound and how long a request may wait in it.</summary>
public sealed record QueueSettings(PolicyOptions Policy, int MaxLength, TimeSpan Ttl);
