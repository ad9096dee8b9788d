using Strata.Core.Admission;

namespace Strata.Serving.Gateway.Admission;

public sealed class AdmissionRejectedException(AdmissionRejection reason, string message, int retryAfterSeconds = 1) : Exception(message)
{
    public AdmissionRejection Reason { get; } = reason;

    /// <summary>When the client may try again: the queue's expected drain for a full or timed-out queue (<see cref="DrainRate"/>).</summary>
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
