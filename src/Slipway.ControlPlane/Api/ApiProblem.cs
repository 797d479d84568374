using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Deployments;

namespace Slipway.ControlPlane.Api;

/// <summary>A request the API refuses, with the HTTP status and the words the user sees.</summary>
internal sealed class ApiProblem(int status, string message, IReadOnlyList<ApiErrorDetail>? details = null) : Exception(message)
{
    public int Status { get; } = status;

    public IReadOnlyList<ApiErrorDetail>? Details { get; } = details;

    public static ApiProblem NotFound(string message) => new(404, message);

    public static ApiProblem BadRequest(string message) => new(400, message);

    public static ApiProblem Conflict(string message) => new(409, message);

    /// <summary>The HTTP answer to a refusal of the domain: 404, 400 or 409, with a rejected spec's problems as details.</summary>
    public static ApiProblem From(RequestRefusedException refused) => new(
        refused.Reason switch
        {
            RefusalReason.NotFound => 404,
            RefusalReason.Conflict => 409,
            _ => 400,
        },
        refused.Message,
        refused.SpecErrors.Count == 0
            ? null
            // Line 0 means the problem has no position (a missing key): the API leaves line and column out.
            : [.. refused.SpecErrors.Select(x => new ApiErrorDetail
            {
                File = x.File,
                Line = x.Line > 0 ? x.Line : null,
                Column = x.Line > 0 ? x.Column : null,
                Key = x.Key.Length > 0 ? x.Key : null,
                Message = x.Message,
            })]);
}
