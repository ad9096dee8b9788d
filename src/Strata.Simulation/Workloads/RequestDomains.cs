namespace Strata.Simulation.Workloads;

/// <summary>
/// The task domains synthetic requests are tagged with, so the MoE routing model can give each
/// domain its own expert preferences (real routers prefer different experts per domain, see
/// <c>data/expert-routing/</c>).
/// </summary>
public static class RequestDomains
{
    public static IReadOnlyList<string> All { get; } = ["chat", "code", "math", "writing"];

    public static string Pick(Random random) => All[random.Next(All.Count)];
}
