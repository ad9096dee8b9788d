using System.Globalization;

namespace Strata.Core.Policies;

/// <summary>
/// A policy chosen by name with its parameters, as written in a cluster or gateway YAML file
/// (<c>dispatch: {name: gimbal, theta_kv: 0.9}</c>) or on the command line (<c>--dispatch gimbal</c>).
/// Typed getters fail with a message naming the field and the fix.
/// </summary>
public sealed class PolicyOptions
{
    private readonly IReadOnlyDictionary<string, string> _parameters;

    public PolicyOptions(string name, IReadOnlyDictionary<string, string>? parameters = null, string section = "policy")
    {
        Name = name;
        Section = section;
        _parameters = parameters ?? new Dictionary<string, string>();
    }

    public string Name { get; }

    /// <summary>Where the options came from (<c>queue</c>, <c>dispatch</c>, <c>experts</c>), for error messages.</summary>
    public string Section { get; }

    public IEnumerable<string> Keys => _parameters.Keys;

    public double GetDouble(string key, double defaultValue, double min = double.MinValue, double max = double.MaxValue)
    {
        if (!_parameters.TryGetValue(key, out var text)) return defaultValue;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new PolicyConfigurationException($"{Section}.{key}: '{text}' is not a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]; set it to one, or remove it to use the default {defaultValue.ToString(CultureInfo.InvariantCulture)}.");
        return value;
    }

    public int GetInt(string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!_parameters.TryGetValue(key, out var text)) return defaultValue;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new PolicyConfigurationException($"{Section}.{key}: '{text}' is not a whole number in [{min}, {max}]; set it to one, or remove it to use the default {defaultValue}.");
        return value;
    }

    public string GetString(string key, string defaultValue) =>
        _parameters.TryGetValue(key, out var text) ? text : defaultValue;

    /// <summary>One of a fixed set of words (<c>rule: classic|current</c>); anything else fails naming the choices.</summary>
    public string GetChoice(string key, string defaultValue, params string[] choices)
    {
        if (!_parameters.TryGetValue(key, out var text)) return defaultValue;
        if (Array.IndexOf(choices, text) >= 0) return text;
        throw new PolicyConfigurationException($"{Section}.{key}: '{text}' is not one of {string.Join(", ", choices)}; set it to one, or remove it to use the default {defaultValue}.");
    }

    /// <summary>Fails on keys the policy does not read, so a typo never silently falls back to a default.</summary>
    public void RejectUnknownKeys(params string[] known)
    {
        foreach (var key in _parameters.Keys)
        {
            if (Array.IndexOf(known, key) >= 0) continue;
            var hint = known.Length == 0 ? "it takes no parameters" : "it takes " + string.Join(", ", known);
            throw new PolicyConfigurationException($"{Section}.{key}: '{Name}' has no parameter '{key}'; {hint}.");
        }
    }
}
