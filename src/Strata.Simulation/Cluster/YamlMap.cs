using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Strata.Simulation.Cluster;

/// <summary>
/// One YAML mapping read by key with errors that name the file, the key path and the fix;
/// <see cref="RejectUnknownKeys"/> catches typos instead of silently using defaults.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly string _file;
    private readonly string _path;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlMap(YamlMappingNode node, string file, string path)
    {
        _node = node;
        _file = file;
        _path = path;
    }

    public static YamlMap Load(string file)
    {
        if (!File.Exists(file)) throw new ClusterConfigException($"--cluster: no preset or file named '{file}'; use one of {string.Join(", ", ClusterPresets.All.Keys)} or a path to a YAML file.");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ClusterConfigException($"{file}: malformed YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ClusterConfigException($"{file}: expected a mapping of cluster settings (gpu, model, parallel, engine, ...).");
        return new YamlMap(root, file, "");
    }

    public bool Has(string key) => _node.Children.ContainsKey(new YamlScalarNode(key));

    public string Where(string key) => $"{_file}: {(_path.Length == 0 ? key : _path + "." + key)}";

    public YamlNode? Node(string key)
    {
        _read.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }

    public YamlMap? Map(string key) => Node(key) switch
    {
        null => null,
        YamlMappingNode map => new YamlMap(map, _file, _path.Length == 0 ? key : _path + "." + key),
        _ => throw new ClusterConfigException($"{Where(key)}: expected a mapping like {{key: value}}."),
    };

    public string? String(string key) => Node(key) switch
    {
        null => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw new ClusterConfigException($"{Where(key)}: expected a single value."),
    };

    public int? Int(string key, int min = int.MinValue)
    {
        var text = String(key);
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new ClusterConfigException($"{Where(key)}: '{text}' is not a whole number ≥ {min}.");
        return value;
    }

    public double? Double(string key, double min = double.MinValue, double max = double.MaxValue)
    {
        var text = String(key);
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new ClusterConfigException($"{Where(key)}: '{text}' is not a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}].");
        return value;
    }

    public bool? Bool(string key)
    {
        var text = String(key);
        if (text is null) return null;
        return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw new ClusterConfigException($"{Where(key)}: '{text}' is not true or false."),
        };
    }

    /// <summary>Every scalar entry as text, for policy parameters.</summary>
    public Dictionary<string, string> Scalars(params string[] except)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in _node.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            _read.Add(name);
            if (Array.IndexOf(except, name) >= 0) continue;
            if (value is not YamlScalarNode scalar) throw new ClusterConfigException($"{Where(name)}: expected a single value.");
            result[name] = scalar.Value ?? "";
        }
        return result;
    }

    public void RejectUnknownKeys()
    {
        foreach (var key in _node.Children.Keys)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (!_read.Contains(name)) throw new ClusterConfigException($"{Where(name)}: unknown setting; check the spelling (README, 'Cluster file').");
        }
    }
}
