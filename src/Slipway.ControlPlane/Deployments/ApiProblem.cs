using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.ControlPlane.Deployments;

/// <summary>A request the control plane refuses, with the HTTP status and the words the user sees.</summary>
internal sealed class ApiProblem(int status, string message, IReadOnlyList<ApiErrorDetail>? details = null) : Exception(message)
{
    public int Status { get; } = status;

    public IReadOnlyList<ApiErrorDetail>? Details { get; } = details;

    public static ApiProblem NotFound(string message) => new(404, message);

    public static ApiProblem BadRequest(string message) => new(400, message);

    public static ApiProblem Conflict(string message) => new(409, message);
}
