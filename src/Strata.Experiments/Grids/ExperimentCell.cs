namespace Strata.Experiments.Grids;

/// <summary>One point of the load space: a cluster, a workload (preset or trace file) and a request rate.</summary>
/// <param name="Label">How tables name the workload (a trace's file name without its folder).</param>
public sealed record ExperimentCell(string Cluster, string Workload, double Rate, string Label)
{
    public static ExperimentCell Preset(string cluster, string workload, double rate) => new(cluster, workload, rate, workload);

    public static ExperimentCell Trace(string cluster, string path, double rate) =>
        new(cluster, path, rate, Path.GetFileNameWithoutExtension(path));
}
