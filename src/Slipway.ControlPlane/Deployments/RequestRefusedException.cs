using Slipway.ControlPlane.Spec;

namespace Slipway.ControlPlane.Deployments;

/// <summary>
/// A request the control plane refuses and changes nothing for, in domain terms: why, and the words the user sees.
/// Only the API decides what that is in HTTP (<see cref="Api.ApiProblem.From"/>).
/// </summary>
internal sealed class RequestRefusedException(RefusalReason reason, string message, IReadOnlyList<SpecError>? specErrors = null) : Exception(message)
{
    public RefusalReason Reason { get; } = reason;

    /// <summary>For a rejected spec: where each problem is.</summary>
    public IReadOnlyList<SpecError> SpecErrors { get; } = specErrors ?? [];

    public static RequestRefusedException NotFound(string message) => new(RefusalReason.NotFound, message);

    public static RequestRefusedException Invalid(string message) => new(RefusalReason.Invalid, message);

    public static RequestRefusedException Conflict(string message) => new(RefusalReason.Conflict, message);
}
