using Strata.Simulation.Hardware;

namespace Strata.Simulation.Cost;

/// <summary>Builds the step-cost model a cluster's <c>step_model</c> names.</summary>
public static class StepCostModels
{
    public static IStepCostModel Create(string kind, string? profileDirectory, ModelSpec model, GpuSpec gpu, int tensorParallel) => kind switch
    {
        "roofline" => new RooflineStepCost(model, gpu, tensorParallel),
        "profile" when tensorParallel != 1 =>
            throw new ProfileException($"step_model: the profile tables are measured at tensor parallel 1; use kind: roofline for parallel.tensor {tensorParallel}."),
        "profile" => new ProfileStepCost(profileDirectory ?? throw new ProfileException("step_model.dir: a profile step model needs the directory of its CSV tables."), model, gpu.StepOverheadSeconds),
        _ => throw new ProfileException($"step_model.kind: unknown step model '{kind}'; use roofline or profile."),
    };
}
