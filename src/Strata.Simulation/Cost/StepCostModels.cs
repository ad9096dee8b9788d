using Strata.Simulation.Hardware;

namespace Strata.Simulation.Cost;

/// <summary>Builds the step-cost model a cluster's <c>step_model</c> names.</summary>
public static class StepCostModels
{
    public static IStepCostModel Create(string kind, string? profileDirectory, ModelSpec model, GpuSpec gpu, int tensorParallel) => kind switch
    {
        "roofline" => new RooflineStepCost(model, gpu, tensorParallel),
        "profile" => new ProfileStepCost(profileDirectory ?? throw new ProfileException("step_model.dir: a profile step model needs the directory of its CSV tables."),
            model, tensorParallel, bytes => gpu.Link.AllReduceSeconds(bytes, tensorParallel)),
        _ => throw new ProfileException($"step_model.kind: unknown step model '{kind}'; use roofline or profile."),
    };
}
