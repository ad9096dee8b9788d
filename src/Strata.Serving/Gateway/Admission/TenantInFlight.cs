using System.Collections.Concurrent;

namespace Strata.Serving.Gateway.Admission;

/// <summary>Each tenant's requests queued or running at once, against its <c>max_in_flight</c>.</summary>
public sealed class TenantInFlight
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts one more request for <paramref name="tenant"/> unless that would exceed <paramref name="max"/>.</summary>
    /// <param name="max">At least 1 (the config's bound), or null for no limit.</param>
    public bool TryEnter(string tenant, int? max)
    {
        while (true)
        {
            if (!_counts.TryGetValue(tenant, out var now))
            {
                if (_counts.TryAdd(tenant, 1)) return true;
                continue;
            }
            if (now >= max) return false;
            if (_counts.TryUpdate(tenant, now + 1, now)) return true;
        }
    }

    public void Exit(string tenant) => _counts.AddOrUpdate(tenant, 0, (_, now) => now - 1);
}
