using Strata.Engine.Cluster;
using Strata.Core.Data;

namespace Strata.Engine.Cost;

/// <summary>Builds the step-cost model a cluster's <c>step_model</c> names.</summary>
public static class StepCostModels
{
    public static IStepCostModel Create(ClusterConfig cluster) => cluster.StepModel.Kind switch
    {
        "roofline" => new RooflineStepCost(cluster.Model, cluster.Gpu, cluster.TensorParallel),
        "profile" => new ProfileStepCost(
            ProfileDirectory(cluster.StepModel.Directory ?? throw new ProfileException("step_model.dir: a profile step model needs the directory of its CSV tables.")),
            cluster.Model, cluster.TensorParallel, cluster.Gpu.Link,
            graphs: CudaGraphSizes.Default(cluster.Engine.MaxNumSeqs, cluster.Engine.MaxNumBatchedTokens)),
        var kind => throw new ProfileException($"step_model.kind: unknown step model '{kind}'; use roofline or profile."),
    };

    /// <summary>A cluster file's folder is absolute; a preset names its profile inside the data folder.</summary>
    private static string ProfileDirectory(string directory) =>
        Path.IsPathRooted(directory) ? directory : DataFolder.Path(directory.Split('/'));
}
