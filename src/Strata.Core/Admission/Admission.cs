using Strata.Core.Dispatch;

namespace Strata.Core.Admission;

/// <summary>What <see cref="AdmissionController{T}.Arrive"/> did with a request: placed it (<see cref="Routed"/>), queued it, or refused it.</summary>
public readonly record struct Admission(RoutedRequest? Routed, AdmissionRejection? Rejection)
{
    public bool Queued => Routed is null && Rejection is null;

    public static Admission Wait => default;
}
