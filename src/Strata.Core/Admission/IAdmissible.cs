using Strata.Core.Dispatch;
using Strata.Core.Queueing;

namespace Strata.Core.Admission;

/// <summary>A request as admission sees it: its queue and dispatch facts, its tenant's share, and the engines that failed it.</summary>
public interface IAdmissible
{
    QueueEntry Entry { get; }

    DispatchRequest Dispatch { get; }

    /// <summary>The fraction of the queue this request's tenant may fill (1: all of it).</summary>
    double QueueShare { get; }

    /// <summary>True when <paramref name="engine"/> already failed this request, so a retry must go elsewhere.</summary>
    bool HasFailedOn(EngineLedger engine);
}
