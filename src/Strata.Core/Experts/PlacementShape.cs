namespace Strata.Core.Experts;

/// <summary>
/// The hardware an expert placement targets: <c>Ranks</c> EP ranks (GPUs) spread evenly over
/// <c>Nodes</c>, <c>PhysicalSlots</c> expert slots per MoE layer (logical experts plus redundant
/// ones, the same number on every rank) and the model's <c>ExpertGroups</c> (DeepSeek-V3: 8 groups
/// of 32 experts; 1 for models without group-limited routing). Names follow DeepSeek EPLB's
/// <c>num_gpus</c>, <c>num_nodes</c>, <c>num_replicas</c>, <c>num_groups</c>.
/// </summary>
public sealed record PlacementShape
{
    public PlacementShape(int ranks, int physicalSlots, int nodes = 1, int expertGroups = 1)
    {
        if (ranks <= 0) throw new ArgumentOutOfRangeException(nameof(ranks), $"ranks = {ranks}; give the number of EP ranks (GPUs), at least 1.");
        if (nodes <= 0) throw new ArgumentOutOfRangeException(nameof(nodes), $"nodes = {nodes}; give the number of nodes, at least 1.");
        if (expertGroups <= 0) throw new ArgumentOutOfRangeException(nameof(expertGroups), $"expert groups = {expertGroups}; use 1 for a model without expert groups.");
        if (ranks % nodes != 0)
            throw new ArgumentException($"{ranks} ranks do not divide evenly over {nodes} nodes; use a rank count that is a multiple of the node count.", nameof(ranks));
        if (physicalSlots <= 0 || physicalSlots % ranks != 0)
            throw new ArgumentException($"{physicalSlots} physical slots do not divide evenly over {ranks} ranks; use experts + redundant experts that is a multiple of the rank count.", nameof(physicalSlots));
        Ranks = ranks;
        PhysicalSlots = physicalSlots;
        Nodes = nodes;
        ExpertGroups = expertGroups;
    }

    public int Ranks { get; }
    public int PhysicalSlots { get; }
    public int Nodes { get; }
    public int ExpertGroups { get; }

    public int SlotsPerRank => PhysicalSlots / Ranks;
    public int RanksPerNode => Ranks / Nodes;

    /// <summary>Fails unless this shape can hold <paramref name="logicalExperts"/> experts in groups.</summary>
    public void Validate(int logicalExperts)
    {
        if (PhysicalSlots < logicalExperts)
            throw new ArgumentException($"{PhysicalSlots} physical slots cannot hold {logicalExperts} logical experts; give at least one slot per expert (slots = experts + redundant experts).");
        if (logicalExperts % ExpertGroups != 0)
            throw new ArgumentException($"{ExpertGroups} expert groups do not divide {logicalExperts} logical experts; use the model's group count (num_expert_groups) or 1.");
    }
}
