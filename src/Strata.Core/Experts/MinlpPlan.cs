namespace Strata.Core.Experts;

/// <summary>A <c>gimbal-minlp</c> placement with how each of its layers was solved.</summary>
public sealed record MinlpPlan(ExpertPlacement Placement, IReadOnlyList<MinlpLayerReport> Layers);
