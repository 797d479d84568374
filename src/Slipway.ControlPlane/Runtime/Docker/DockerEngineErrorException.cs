using System.Net;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// The Docker engine answered a request with an error status: it is up, and it refused (404 for an image or
/// container it does not have, 409 for a conflict, 400 for a bad parameter) or failed (5xx). <see cref="Status"/> is
/// that status; <see cref="EngineMessage"/> is the engine's own explanation.
/// </summary>
internal sealed class DockerEngineErrorException(string socketPath, string operation, HttpStatusCode status, string engineMessage)
    : DockerException($"the Docker engine at {socketPath} could not {operation}: {(int)status} ({Meaning(status)}) {engineMessage}", null)
{
    public HttpStatusCode Status { get; } = status;

    public string EngineMessage { get; } = engineMessage;

    /// <summary>What an error status means, in the words an operator would use.</summary>
    public static string Meaning(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => "bad request",
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "forbidden",
        HttpStatusCode.NotFound => "not found",
        HttpStatusCode.Conflict => "conflict",
        >= HttpStatusCode.InternalServerError => "engine error",
        _ => "refused",
    };
}
