using System.Text.Json;
using Strata.Core.Data;

namespace Strata.Engine.Tests.Moe;

/// <summary>
/// The routing model's defaults (skew σ ≈ 0.8 drawn per layer in [0.4, 1.2], domain correlation 0.1) rest on
/// statistics of real routing counts (docs/experts.md, "Routing model"); these tests recompute them from
/// data/expert-routing so the table in the docs stays true to the files.
/// </summary>
public class RoutingCalibrationTests
{
    /// <summary>Per domain and layer: the population standard deviation of log(count / mean count) over experts.</summary>
    private static IEnumerable<double> LogSpreads(JsonElement domains) =>
        from domain in domains.EnumerateObject()
        from layer in domain.Value.GetProperty("expert_counts").EnumerateArray()
        let counts = layer.EnumerateArray().Select(c => c.GetDouble()).ToArray()
        select StandardDeviation(counts.Select(c => Math.Log(c / counts.Average())).ToArray());

    private static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }

    /// <summary>Mean over pairs of domains of the correlation of their log counts at one layer.</summary>
    private static double CrossDomainCorrelation(JsonElement domains, int layer)
    {
        var rows = domains.EnumerateObject()
            .Select(d => d.Value.GetProperty("expert_counts")[layer].EnumerateArray().Select(c => Math.Log(c.GetDouble())).ToArray()).ToArray();
        var pairs = from i in Enumerable.Range(0, rows.Length) from j in Enumerable.Range(i + 1, rows.Length - i - 1) select Correlation(rows[i], rows[j]);
        return pairs.Average();
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        var cov = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        return cov / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
    }

    private static JsonElement Domains(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(DataFolder.Path("expert-routing", file)));
        return document.RootElement.GetProperty("domains").Clone();
    }

    [Fact]
    public void OLMoE_log_count_spread_spans_the_range_the_default_skew_draws_from()
    {
        var spreads = LogSpreads(Domains("olmoe.json")).ToArray();
        Assert.Equal(0.27, spreads.Min(), 2);
        Assert.Equal(1.83, spreads.Max(), 2);
        // The default draws each layer's σ in [0.4, 1.2]: inside the measured range, around its middle.
        var median = spreads.Order().ElementAt(spreads.Length / 2);
        Assert.InRange(median, 0.4, 1.2);
    }

    [Fact]
    public void OLMoE_domains_prefer_different_experts_which_the_default_domain_correlation_follows()
    {
        var domains = Domains("olmoe.json");
        Assert.Equal(0.11, CrossDomainCorrelation(domains, 0), 2);
        Assert.Equal(0.00, CrossDomainCorrelation(domains, 1), 2);
        Assert.Equal(-0.01, CrossDomainCorrelation(domains, 2), 2);
    }

    [Fact]
    public void Mixtral_is_flatter_than_OLMoE()
    {
        var spreads = LogSpreads(Domains("mistral.json")).ToArray();
        Assert.Equal(0.04, spreads.Min(), 2);
        Assert.Equal(0.34, spreads.Max(), 2);
    }
}
