using YamlDotNet.RepresentationModel;

namespace Strata.Engine.Cost;

/// <summary>
/// The attention batch-skew correction a profile ships as <c>skew_fit.csv</c>: a decode batch whose KV lengths
/// differ runs slower than a uniform batch at their mean (FlashAttention's varlen kernel pays tile padding and SM
/// imbalance), so its time is <c>t_mean + α·(t_max − t_mean)</c>, with t_mean and t_max the uniform batch at the
/// mean and at the largest KV length. α is looked up the way LLMServingSim does (casys-kaist/LLMServingSim
/// <c>serving/core/trace_generator.py</c> <c>_skew_alpha</c>, commit 5daddb2): by the exact prefill chunk, and by
/// the bucket of the decode count, the skew rate (mean − min)/(max − min), the largest KV and the prefill KV, with
/// the bucket edges of <c>meta.yaml</c> <c>skew_fit.bucket_axes</c> (each bucket is (edge[i], edge[i+1]]); a batch
/// whose bucket was not measured takes <c>skew_fit.per_tp.&lt;tp&gt;.alpha_default</c>.
/// </summary>
public sealed class SkewFit
{
    private readonly Dictionary<(int Chunk, int Decodes, int Rate, int KvBig, int KvPrefill), double> _alpha = new();
    private readonly double[] _decodeEdges;
    private readonly double[] _rateEdges;
    private readonly double[] _kvBigEdges;
    private readonly double[] _kvPrefillEdges;
    private readonly double _default;

    private SkewFit(YamlMappingNode axes, double alphaDefault, string csv)
    {
        (_decodeEdges, var decodeLabels) = Axis(axes, "n", csv);
        (_rateEdges, var rateLabels) = Axis(axes, "skew_rate", csv);
        (_kvBigEdges, var kvBigLabels) = Axis(axes, "kv_big", csv);
        (_kvPrefillEdges, var kvPrefillLabels) = Axis(axes, "kp", csv);
        _default = alphaDefault;
        var directory = Path.GetDirectoryName(csv)!;
        foreach (var c in ProfileTable.Rows(directory, "skew_fit.csv", [1, 2, 3, 4], "pc", "n_label", "skew_rate_label", "kv_big_label", "kp_label", "alpha", "n_samples"))
            _alpha[((int)ProfileTable.Number(c[0]), Label(decodeLabels, c[1], csv), Label(rateLabels, c[2], csv), Label(kvBigLabels, c[3], csv),
                Label(kvPrefillLabels, c[4], csv))] = ProfileTable.Number(c[5]);
    }

    /// <summary>
    /// The profile's fit for tensor parallel <paramref name="tensorParallel"/>, or null — no correction, as LLMServingSim
    /// applies none it has not measured — when the profile has no <c>skew_fit.csv</c> or its meta.yaml says <c>skew_fit: enabled: false</c>.
    /// </summary>
    public static SkewFit? Read(string directory, int tensorParallel)
    {
        var csv = Path.Combine(directory, "skew_fit.csv");
        if (!File.Exists(csv)) return null;
        var metaPath = Path.Combine(directory, "meta.yaml");
        if (!File.Exists(metaPath))
            throw new ProfileException($"{metaPath} is missing: skew_fit.csv's bucket edges and default α are in the profile's meta.yaml (skew_fit.bucket_axes, skew_fit.per_tp); copy it from the profile's source.");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(metaPath)) yaml.Load(reader);
        var fit = Child(yaml.Documents[0].RootNode, "skew_fit", metaPath);
        if (fit is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("enabled"), out var enabled) && enabled is YamlScalarNode { Value: "false" })
            return null;
        var axes = Child(fit, "bucket_axes", metaPath);
        var perTp = Child(fit, "per_tp", metaPath);
        var entry = Child(perTp, tensorParallel.ToString(System.Globalization.CultureInfo.InvariantCulture), metaPath,
            $"the profile has no skew fit for tensor parallel {tensorParallel}; use the profile taken at the cluster's parallel.tensor");
        return new SkewFit((YamlMappingNode)axes, Scalar(Child(entry, "alpha_default", metaPath), metaPath), csv);
    }

    /// <summary>α for a batch: prefill chunk (tokens), decodes, skew rate in [0, 1], largest decode KV, prefill KV.</summary>
    public double Alpha(int chunk, int decodes, double skewRate, int kvBig, int kvPrefill)
    {
        var key = (chunk, Bucket(_decodeEdges, decodes), Bucket(_rateEdges, Math.Clamp(skewRate, 0, 1)), Bucket(_kvBigEdges, kvBig), Bucket(_kvPrefillEdges, kvPrefill));
        return _alpha.TryGetValue(key, out var alpha) ? alpha : _default;
    }

    /// <summary>Index i of the first bucket (edge[i], edge[i+1]] that holds the value; the last one past every edge.</summary>
    public static int Bucket(double[] edges, double value)
    {
        for (var i = 0; i < edges.Length - 1; i++)
            if (value <= edges[i + 1]) return i;
        return edges.Length - 2;
    }

    private static (double[] Edges, string[] Labels) Axis(YamlMappingNode axes, string name, string csv)
    {
        var where = Path.Combine(Path.GetDirectoryName(csv)!, "meta.yaml");
        var edges = ((YamlSequenceNode)Child(axes, name + "_bins", where)).Children.Select(n => Scalar(n, where)).ToArray();
        var labels = ((YamlSequenceNode)Child(axes, name + "_labels", where)).Children.Select(n => ((YamlScalarNode)n).Value!).ToArray();
        if (labels.Length != edges.Length - 1)
            throw new ProfileException($"{where}: skew_fit.bucket_axes.{name}_labels has {labels.Length} labels for {edges.Length} edges; it needs one fewer label than edges.");
        return (edges, labels);
    }

    private static int Label(string[] labels, string label, string csv)
    {
        var i = Array.IndexOf(labels, label);
        return i >= 0 ? i : throw new ProfileException($"{csv}: bucket label '{label}' is not among meta.yaml's skew_fit.bucket_axes ({string.Join(", ", labels)}); the CSV and meta.yaml must come from the same profile.");
    }

    private static YamlNode Child(YamlNode node, string key, string where, string? fix = null) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child)
            ? child
            : throw new ProfileException($"{where}: no '{key}' under skew_fit; {fix ?? "the profile's meta.yaml must carry skew_fit.bucket_axes and skew_fit.per_tp as LLMServingSim's profiler writes them"}.");

    private static double Scalar(YamlNode node, string where) =>
        node is YamlScalarNode { Value: { } text } && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ProfileException($"{where}: '{node}' in skew_fit is not a number.");
}
