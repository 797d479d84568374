namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// The Docker engine could not be reached, or answered with an error. <see cref="Status"/> is the engine's HTTP
/// status when it answered; the message always says what to do.
/// </summary>
internal sealed class DockerUnavailableException(string message, int? status = null, Exception? inner = null) : Exception(message, inner)
{
    public int? Status { get; } = status;
}
