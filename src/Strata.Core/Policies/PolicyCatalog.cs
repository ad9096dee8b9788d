namespace Strata.Core.Policies;

/// <summary>Policies of one kind, created by name (the YARP load-balancing shape).</summary>
public sealed class PolicyCatalog<TPolicy>
{
    private readonly string _kind;
    private readonly SortedDictionary<string, Func<PolicyOptions, TPolicy>> _factories = new(StringComparer.Ordinal);

    public PolicyCatalog(string kind) => _kind = kind;

    public IEnumerable<string> Names => _factories.Keys;

    public PolicyCatalog<TPolicy> Add(string name, Func<PolicyOptions, TPolicy> factory)
    {
        _factories.Add(name, factory);
        return this;
    }

    public bool Contains(string name) => _factories.ContainsKey(name);

    public TPolicy Create(PolicyOptions options)
    {
        if (!_factories.TryGetValue(options.Name, out var factory))
            throw new PolicyConfigurationException($"{options.Section}: unknown {_kind} '{options.Name}'; use one of: {string.Join(", ", _factories.Keys)}.");
        return factory(options);
    }
}
