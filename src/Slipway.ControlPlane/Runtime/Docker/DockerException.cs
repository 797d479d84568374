namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// A call to the Docker engine failed, in one of two ways that callers report differently: the engine was not
/// reached (<see cref="DockerUnavailableException"/>), or it answered and said no (<see cref="DockerEngineErrorException"/>).
/// Catch this type only where both end the same way (the deployment fails with the message, a loop logs it).
/// </summary>
internal abstract class DockerException(string message, Exception? inner) : Exception(message, inner);
