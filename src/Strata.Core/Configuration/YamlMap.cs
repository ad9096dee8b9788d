using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Strata.Core.Configuration;

/// <summary>
/// One YAML mapping read by key with errors that name the file, the key path and the fix;
/// <see cref="RejectUnknownKeys"/> catches typos instead of silently using defaults.
/// Cluster files and the gateway's config share it; each passes the exception its callers catch
/// and the README section that lists its keys.
/// </summary>
public sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly string _file;
    private readonly string _path;
    private readonly Func<string, Exception> _fail;
    private readonly string _reference;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <summary>Deepest nesting read: YamlDotNet builds its node tree recursively, and a deeper (hostile) file would overflow the stack.</summary>
    public const int MaxDepth = 64;

    /// <param name="fail">Builds the exception for a message that names the file and key.</param>
    /// <param name="reference">Where the valid keys are documented, quoted in unknown-key errors.</param>
    public YamlMap(YamlMappingNode node, string file, string path, Func<string, Exception> fail, string reference)
    {
        _node = node;
        _file = file;
        _path = path;
        _fail = fail;
        _reference = reference;
    }

    /// <summary>
    /// The top-level mapping of a YAML document: malformed YAML or a document that is not a mapping fails with the
    /// line and column, or with <paramref name="expected"/> (what the mapping holds, e.g. "gateway settings (listen, models, ...)").
    /// </summary>
    public static YamlMap Parse(string yaml, string source, Func<string, Exception> fail, string reference, string expected)
    {
        var stream = new YamlStream();
        try
        {
            CheckDepth(yaml, source, fail);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw fail($"{source}: malformed YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw fail($"{source}: expected a mapping of {expected}.");
        return new YamlMap(root, source, "", fail, reference);
    }

    /// <summary>Fails a document nested deeper than <see cref="MaxDepth"/>, reading its events one by one (no recursion).</summary>
    private static void CheckDepth(string yaml, string source, Func<string, Exception> fail)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(yaml));
        var depth = 0;
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.NodeEvent and (YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart) && ++depth > MaxDepth)
                throw fail($"{source}: nested more than {MaxDepth} levels deep at line {parser.Current.Start.Line}; a settings file needs a handful.");
            if (parser.Current is YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd) depth--;
        }
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
        YamlMappingNode map => Child(map, key),
        _ => throw _fail($"{Where(key)}: expected a mapping like {{key: value}}."),
    };

    /// <summary>A mapping nested under <paramref name="key"/> (e.g. one item of a list), with the same error handling.</summary>
    public YamlMap Child(YamlMappingNode node, string key) => new(node, _file, _path.Length == 0 ? key : _path + "." + key, _fail, _reference);

    public string? String(string key) => Node(key) switch
    {
        null => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw _fail($"{Where(key)}: expected a single value."),
    };

    public int? Int(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = String(key);
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw _fail(max == int.MaxValue ? $"{Where(key)}: '{text}' is not a whole number ≥ {min}." : $"{Where(key)}: '{text}' is not a whole number in [{min}, {max}].");
        return value;
    }

    public double? Double(string key, double min = double.MinValue, double max = double.MaxValue)
    {
        var text = String(key);
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw _fail($"{Where(key)}: '{text}' is not a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}].");
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
            _ => throw _fail($"{Where(key)}: '{text}' is not true or false."),
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
            if (value is not YamlScalarNode scalar) throw _fail($"{Where(name)}: expected a single value.");
            result[name] = scalar.Value ?? "";
        }
        return result;
    }

    public void RejectUnknownKeys()
    {
        foreach (var key in _node.Children.Keys)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (!_read.Contains(name)) throw _fail($"{Where(name)}: unknown setting; check the spelling ({_reference}).");
        }
    }
}
