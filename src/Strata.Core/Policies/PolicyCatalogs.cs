using Strata.Core.Dispatch;
using Strata.Core.Experts;
using Strata.Core.Queueing;

namespace Strata.Core.Policies;

/// <summary>
/// The policies a world can build by name, one catalog per layer. Every consumer (the simulator, the gateway, the
/// emulator, the experiments) takes the catalogs it is given, so a host injects its own: the CLI passes Strata.Core's
/// queue and dispatch policies with Strata.Experts.Solver's exact planners, and a test or an embedding application
/// may register a policy of its own.
/// </summary>
public sealed record PolicyCatalogs(PolicyCatalog<IQueuePolicy> Queue, PolicyCatalog<IEngineSelector> Dispatch, PolicyCatalog<IExpertPlanner> Planners)
{
    /// <summary>Strata.Core's policies, with its local-search expert planners.</summary>
    public static PolicyCatalogs Standard { get; } = new(Policies.Queue, Policies.Dispatch, ExpertPlanners.Catalog);
}
