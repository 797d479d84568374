namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// The Docker engine could not be reached or cannot be used (no socket, permission denied, nothing listening, an API
/// too old, a transport failure mid-answer). The message always says what to do. An engine that answered with an
/// error status is a <see cref="DockerEngineErrorException"/> instead.
/// </summary>
internal sealed class DockerUnavailableException(string message, Exception? inner = null) : DockerException(message, inner);
