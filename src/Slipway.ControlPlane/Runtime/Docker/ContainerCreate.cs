namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>A container to create: always from an image id, never restarted by the engine (Slipway decides).</summary>
internal sealed record ContainerCreate
{
    public required string ImageId { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Null: host networking (the app reads PORT). Otherwise this container port is published on 127.0.0.1:<see cref="HostPort"/>.</summary>
    public int? ContainerPort { get; init; }

    public int HostPort { get; init; }

    /// <summary>Seconds the engine waits after SIGTERM on <c>stop</c>.</summary>
    public int StopTimeoutSeconds { get; init; } = 10;
}
