namespace Slipway.ControlPlane.Runtime;

/// <summary>A running (or ended) generation as its runtime sees it.</summary>
internal sealed record InstanceState
{
    /// <summary><c>starting</c>, <c>running</c>, <c>exited</c>, ... in the runtime's own words.</summary>
    public required string State { get; init; }

    public bool Running => State is "running" or "starting";

    public int Restarts { get; init; }

    public int? LastExitCode { get; init; }

    /// <summary>Docker: the image id the container runs.</summary>
    public string? ImageId { get; init; }

    /// <summary>Docker: when the container last started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
