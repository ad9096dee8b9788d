using System.Text.Json;
using ScottPlot;
using Strata.Simulation.Validation;

namespace Strata.Experiments.Validation;

/// <summary>What <c>strata validate</c> writes: validation.json (metric → real, simulated, error), the queue chart and the TTFT distribution.</summary>
public static class ValidationFiles
{
    public static void Write(ValidationResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        using (var stream = File.Create(Path.Combine(folder, "validation.json")))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("run", result.Run.Source);
            json.WriteString("cluster", result.Cluster.Name);
            json.WriteString("step_model", result.Cluster.StepModel.Directory ?? result.Cluster.StepModel.Kind);
            json.WriteString("prompts", result.Run.PromptSource);
            json.WriteNumber("simulated_prefix_cache_hit_rate", Math.Round(result.PrefixCacheHitRate, 5));
            foreach (var m in result.Metrics)
            {
                json.WriteStartObject(m.Key);
                json.WriteNumber("real", Math.Round(m.Real, 3));
                json.WriteNumber("simulated", Math.Round(m.Simulated, 3));
                json.WriteNumber("error", Math.Round(m.Error, 5));
                if (m.ReferenceError is { } reference) json.WriteNumber("llmservingsim_error", reference);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        File.WriteAllText(Path.Combine(folder, "queues.svg"), QueueChart(result));
        File.WriteAllText(Path.Combine(folder, "ttft-cdf.svg"), TtftChart(result));
    }

    /// <summary>The share of requests with TTFT at most x: the real run's against the replay's.</summary>
    public static string TtftChart(ValidationResult result)
    {
        var plot = new Plot();
        void Cdf(IEnumerable<double> seconds, string label, LinePattern pattern)
        {
            var ms = seconds.Select(s => s * 1000).Order().ToArray();
            if (ms.Length == 0) return;
            var line = plot.Add.ScatterLine(ms, ms.Select((_, i) => (i + 1.0) / ms.Length).ToArray());
            line.LegendText = label;
            line.Color = Colors.SteelBlue;
            line.LinePattern = pattern;
            line.LineWidth = 1.5f;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
        }
        Cdf(result.Run.Requests.Select(r => r.Ttft), "vLLM", LinePattern.Solid);
        Cdf(result.SimulatedTtfts, "Strata", LinePattern.Dashed);
        plot.Title($"TTFT distribution — {result.Cluster.Name}");
        plot.XLabel("TTFT (ms)");
        plot.YLabel("share of requests");
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetSvgXml(800, 450);
    }

    /// <summary>Requests running and waiting over time: the real run's per-second log against the simulation.</summary>
    public static string QueueChart(ValidationResult result)
    {
        var plot = new Plot();
        void Line(double[] t, double[] y, string label, Color color, LinePattern pattern)
        {
            if (t.Length == 0) return;
            var line = plot.Add.ScatterLine(t, y);
            line.LegendText = label;
            line.Color = color;
            line.LinePattern = pattern;
            line.LineWidth = 1.5f;
        }
        var real = result.Run.Queues;
        var sim = result.SimulatedQueues;
        Line(real.Select(q => q.Time).ToArray(), real.Select(q => (double)q.Running).ToArray(), "running (vLLM)", Colors.SteelBlue, LinePattern.Solid);
        Line(sim.Select(q => q.Time).ToArray(), sim.Select(q => (double)q.Running).ToArray(), "running (Strata)", Colors.SteelBlue, LinePattern.Dashed);
        Line(real.Select(q => q.Time).ToArray(), real.Select(q => (double)q.Waiting).ToArray(), "waiting (vLLM)", Colors.DarkOrange, LinePattern.Solid);
        Line(sim.Select(q => q.Time).ToArray(), sim.Select(q => (double)q.Waiting).ToArray(), "waiting (Strata)", Colors.DarkOrange, LinePattern.Dashed);
        plot.Title($"Running and waiting requests — {result.Cluster.Name}");
        plot.XLabel("time since the first arrival (s)");
        plot.YLabel("requests");
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetSvgXml(800, 450);
    }
}
