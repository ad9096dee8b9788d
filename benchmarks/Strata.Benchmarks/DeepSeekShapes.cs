using Strata.Core.Experts;

namespace Strata.Benchmarks;

/// <summary>
/// DeepSeek-V3-size deployments the expert benchmarks run on, by a short name usable as a BenchmarkDotNet
/// parameter: EP32 prefill (288 slots on 32 GPUs in 4 nodes, 32 redundant experts) and EP64 (320 slots on 64
/// GPUs in 8 nodes, 5 per GPU); 256 experts in 8 groups either way.
/// </summary>
public static class DeepSeekShapes
{
    public const string Ep32 = "32x288/4", Ep64 = "64x320/8";

    public static PlacementShape Get(string name) => name switch
    {
        Ep32 => new PlacementShape(ranks: 32, physicalSlots: 288, nodes: 4, expertGroups: 8),
        Ep64 => new PlacementShape(ranks: 64, physicalSlots: 320, nodes: 8, expertGroups: 8),
        _ => throw new ArgumentException($"unknown shape '{name}'; use {Ep32} or {Ep64}.", nameof(name)),
    };
}
