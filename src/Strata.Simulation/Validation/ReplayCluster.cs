using System.Text.RegularExpressions;
using Strata.Engine.Cluster;
using Strata.Core.Data;
using Strata.Engine.Hardware;

namespace Strata.Simulation.Validation;

/// <summary>
/// The cluster a recorded run ran on: its engine arguments on the matching measured profile of
/// data/profiles (the same GPU, model and tensor parallelism), or a cluster file with the run's
/// engine arguments put over it.
/// </summary>
public static partial class ReplayCluster
{
    public static ClusterConfig For(RecordedRun run, string? clusterFile)
    {
        if (clusterFile is not null)
        {
            var cluster = ClusterFile.Load(clusterFile);
            if (run.Engine is not { } engine) return cluster;
            if (ModelPresets.ByHuggingFaceId.TryGetValue(engine.Model, out var served) && ModelPresets.All.ContainsKey(cluster.Model.Name) && served.Name != cluster.Model.Name)
                throw new RecordedRunException($"--cluster {clusterFile}: its model is {cluster.Model.Name}, but the run served {engine.Model} ({served.Name}); use a cluster file of the run's model and its profile.");
            return WithEngine(cluster, engine);
        }
        var e = run.Engine ?? throw new RecordedRunException(
            $"{run.Source}: a `vllm bench serve` result does not hold the engine's arguments; pass --cluster FILE with the GPU, model, parallelism, engine and step_model the run used.");
        var model = ModelPresets.ByHuggingFaceId.GetValueOrDefault(e.Model) ?? throw new RecordedRunException(
            $"{run.Source}/meta.json model: '{e.Model}' has no built-in preset ({string.Join(", ", ModelPresets.ByHuggingFaceId.Keys)}); pass --cluster FILE with model: path/to/config.json and its profile.");
        var (gpuKey, profile) = Profile(run, e);
        var gpu = GpuPresets.All.GetValueOrDefault(gpuKey) ?? throw new RecordedRunException(
            $"{profile}: its GPU '{gpuKey}' has no preset ({string.Join(", ", GpuPresets.All.Keys)}); pass --cluster FILE with a gpu: spec.");
        var config = new ClusterConfig
        {
            Name = Path.GetFileName(run.Source.TrimEnd('/', '\\')),
            Gpu = gpu,
            Model = model,
            StepModel = new StepModelChoice("profile", profile),
        };
        config = WithEngine(config, e);
        ClusterFile.Validate(config, run.Source);
        return config;
    }

    /// <summary>The run's parallelism and scheduler arguments over a cluster.</summary>
    private static ClusterConfig WithEngine(ClusterConfig cluster, RecordedEngine e) => cluster with
    {
        DataParallel = e.DataParallel,
        TensorParallel = e.TensorParallel,
        ExpertParallel = e.ExpertParallel,
        Engine = cluster.Engine with
        {
            MaxNumSeqs = e.MaxNumSeqs,
            MaxNumBatchedTokens = e.MaxNumBatchedTokens,
            MaxModelLen = e.MaxModelLen,
            BlockSize = e.BlockSize,
            NumGpuBlocksOverride = e.NumGpuBlocks,
            EnablePrefixCaching = e.EnablePrefixCaching,
            GpuMemoryUtilization = e.GpuMemoryUtilization,
            AsyncScheduling = e.AsyncScheduling ?? cluster.Engine.AsyncScheduling,
        },
    };

    /// <summary>
    /// The profile folder whose meta.yaml names the run's model and GPU (<c>model</c>, <c>hardware</c>) at the run's tensor
    /// parallelism (a <c>-tp&lt;N&gt;</c> folder suffix, none for TP 1). The GPU comes from meta.json's
    /// <c>hardware.device_name</c>, or, where the run did not record it, from the run folder's name (data/validation/&lt;gpu&gt;-…).
    /// </summary>
    private static (string Gpu, string Folder) Profile(RecordedRun run, RecordedEngine e)
    {
        var candidates = Directory.GetDirectories(DataFolder.Path("profiles")).Order(StringComparer.Ordinal)
            .Select(folder => (Folder: folder, Meta: ProfileMeta(folder)))
            .Where(p => p.Meta is { } m && string.Equals(m.Model, e.Model, StringComparison.OrdinalIgnoreCase) && TensorParallelOf(p.Folder) == e.TensorParallel)
            .Select(p => (Gpu: p.Meta!.Value.Hardware, p.Folder)).ToArray();
        var gpuHint = Normalise(e.DeviceName ?? "");
        var runName = Normalise(Path.GetFileName(run.Source.TrimEnd('/', '\\')));
        var matching = candidates.Where(c => e.DeviceName is not null ? gpuHint.Contains(c.Gpu) : runName.StartsWith(c.Gpu, StringComparison.Ordinal)).ToArray();
        return matching.Length switch
        {
            1 => matching[0],
            0 => throw new RecordedRunException(
                $"{run.Source}: no profile in {DataFolder.Path("profiles")} measures {e.Model} at TP {e.TensorParallel} on {e.DeviceName ?? "this run's GPU (meta.json has no hardware.device_name)"}" +
                $"{(candidates.Length > 0 ? $" (other GPUs: {string.Join(", ", candidates.Select(c => c.Gpu))})" : "")}; pass --cluster FILE with a step_model of your own profile."),
            _ => throw new RecordedRunException($"{run.Source}: several profiles match ({string.Join(", ", matching.Select(m => m.Folder))}); pass --cluster FILE naming one."),
        };
    }

    private static (string Model, string Hardware)? ProfileMeta(string folder)
    {
        var path = Path.Combine(folder, "meta.yaml");
        if (!File.Exists(path)) return null;
        string? model = null, hardware = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("model: ", StringComparison.Ordinal)) model = line["model: ".Length..].Trim();
            if (line.StartsWith("hardware: ", StringComparison.Ordinal)) hardware = Normalise(line["hardware: ".Length..]);
        }
        return model is null || hardware is null ? null : (model, hardware);
    }

    private static int TensorParallelOf(string folder) =>
        TpSuffix().Match(Path.GetFileName(folder)) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;

    private static string Normalise(string name) => NotAlphanumeric().Replace(name.ToLowerInvariant(), "");

    [GeneratedRegex("-tp([0-9]+)$")]
    private static partial Regex TpSuffix();

    [GeneratedRegex("[^a-z0-9]")]
    private static partial Regex NotAlphanumeric();
}
