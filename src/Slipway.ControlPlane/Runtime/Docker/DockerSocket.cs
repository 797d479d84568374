namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>Where the engine listens: <c>DOCKER_HOST=unix:///path</c>, else <c>/var/run/docker.sock</c>. Only Unix sockets are supported.</summary>
internal static class DockerSocket
{
    public const string DefaultPath = "/var/run/docker.sock";

    /// <exception cref="DockerUnavailableException">DOCKER_HOST names something other than a Unix socket.</exception>
    public static string Resolve(string? dockerHost)
    {
        if (string.IsNullOrWhiteSpace(dockerHost))
        {
            return DefaultPath;
        }

        if (dockerHost.StartsWith("unix://", StringComparison.Ordinal) && dockerHost.Length > "unix://".Length)
        {
            return dockerHost["unix://".Length..];
        }

        throw new DockerUnavailableException(
            $"DOCKER_HOST={dockerHost} is not supported: Slipway talks to the engine over its local Unix socket only. Set DOCKER_HOST=unix:///var/run/docker.sock (or unset it).");
    }

    public static string FromEnvironment() => Resolve(Environment.GetEnvironmentVariable("DOCKER_HOST"));
}
