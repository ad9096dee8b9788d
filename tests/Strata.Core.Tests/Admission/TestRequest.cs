using Strata.Core.Admission;
using Strata.Core.Dispatch;
using Strata.Core.Queueing;

namespace Strata.Core.Tests.Admission;

/// <summary>A request for the admission controller's tests: arrival order, prompt, tenant, and the engines that failed it.</summary>
internal sealed class TestRequest(long id, double arrival, int promptTokens = 100, string? tenant = null, double queueShare = 1, ulong[]? blocks = null) : IAdmissible
{
    public HashSet<EngineLedger> Failed { get; } = [];

    public long Id => id;

    public QueueEntry Entry => new(id, arrival, promptTokens, Tenant: tenant);

    public DispatchRequest Dispatch => new(id, promptTokens, Tenant: tenant, BlockHashes: blocks ?? []);

    public double QueueShare => queueShare;

    public bool HasFailedOn(EngineLedger engine) => Failed.Contains(engine);
}
