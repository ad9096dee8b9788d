using System.Collections.Concurrent;
using Strata.Engine.Cluster;
using Strata.Core.Data;

namespace Strata.Engine.Cost;

/// <summary>
/// Builds the step-cost model a cluster's <c>step_model</c> names. A profile model is read once per process for each
/// profile folder, model and engine shape, and shared by every run that asks for it (an experiment grid runs thousands):
/// it is immutable once built, and a changed file on disk makes a new key, so a run never sees stale tables.
/// </summary>
public static class StepCostModels
{
    private static readonly ConcurrentDictionary<ProfileKey, Lazy<ProfileStepCost>> Profiles = new();

    public static IStepCostModel Create(ClusterConfig cluster) => cluster.StepModel.Kind switch
    {
        "roofline" => new RooflineStepCost(cluster.Model, cluster.Gpu, cluster.TensorParallel),
        "profile" => Profile(cluster),
        var kind => throw new ProfileException($"step_model.kind: unknown step model '{kind}'; use roofline or profile."),
    };

    private static ProfileStepCost Profile(ClusterConfig cluster)
    {
        var directory = ProfileDirectory(cluster.StepModel.Directory ?? throw new ProfileException("step_model.dir: a profile step model needs the directory of its CSV tables."));
        var key = new ProfileKey(directory, Fingerprint(directory), cluster.Model, cluster.TensorParallel, cluster.Gpu.Link,
            cluster.Engine.MaxNumSeqs, cluster.Engine.MaxNumBatchedTokens);
        return Profiles.GetOrAdd(key, k => new Lazy<ProfileStepCost>(() => new ProfileStepCost(k.Directory, k.Model, k.TensorParallel, k.Link,
            graphs: CudaGraphSizes.Default(k.MaxNumSeqs, k.MaxNumBatchedTokens)))).Value;
    }

    /// <summary>Each file's name, size and last write: what tells one version of a profile folder from another.</summary>
    private static string Fingerprint(string directory) =>
        Directory.Exists(directory)
            ? string.Join('|', new DirectoryInfo(directory).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => $"{f.Name}:{f.Length}:{f.LastWriteTimeUtc.Ticks}"))
            : "";

    /// <summary>A cluster file's folder is absolute; a preset names its profile inside the data folder.</summary>
    private static string ProfileDirectory(string directory) =>
        Path.IsPathRooted(directory) ? directory : DataFolder.Path(directory.Split('/'));

    private sealed record ProfileKey(string Directory, string Fingerprint, Hardware.ModelSpec Model, int TensorParallel,
        Hardware.LinkSpec Link, int MaxNumSeqs, int MaxNumBatchedTokens);
}
