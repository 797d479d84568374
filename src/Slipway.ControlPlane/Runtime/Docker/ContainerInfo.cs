using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>What <c>GET /containers/{id}/json</c> says about a container, reduced to what Slipway checks.</summary>
internal sealed record ContainerInfo
{
    public required string Id { get; init; }

    /// <summary>The image id (<c>sha256:...</c>) the container was created from.</summary>
    public required string ImageId { get; init; }

    /// <summary>created, running, paused, restarting, removing, exited or dead.</summary>
    public required string Status { get; init; }

    /// <summary><see cref="Status"/> in the supervisor's terms.</summary>
    public ProcessState State => ContainerStatus.ToProcessState(Status);

    public bool Running => State == ProcessState.Running;

    public int ExitCode { get; init; }

    /// <summary>The host pid of the container's main process while it runs.</summary>
    public int? Pid { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public int RestartCount { get; init; }

    /// <summary>The engine's restart policy: <c>no</c> for a candidate, <c>unless-stopped</c> once current.</summary>
    public string RestartPolicy { get; init; } = "no";

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
