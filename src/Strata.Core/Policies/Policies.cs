using Strata.Core.Dispatch;
using Strata.Core.Queueing;

namespace Strata.Core.Policies;

/// <summary>Every request-level and engine-level policy Strata knows, by name.</summary>
public static class Policies
{
    public static PolicyCatalog<IQueuePolicy> Queue { get; } = new PolicyCatalog<IQueuePolicy>("queue policy")
        .Add(FirstComeFirstServed.PolicyName, o => { o.RejectUnknownKeys(); return new FirstComeFirstServed(); });

    public static PolicyCatalog<IEngineSelector> Dispatch { get; } = new PolicyCatalog<IEngineSelector>("dispatch policy")
        .Add(RoundRobinSelector.PolicyName, o => { o.RejectUnknownKeys(); return new RoundRobinSelector(); })
        .Add(VllmDataParallelSelector.PolicyName, o => { o.RejectUnknownKeys(); return new VllmDataParallelSelector(); });
}
