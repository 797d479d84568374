namespace Slipway.ControlPlane.Store;

/// <summary>
/// The handoff marker of a control-plane self-deploy: which generation (and digest) the old instance handed the
/// lease to, when, and how it ended. At most one of <see cref="CompletedAt"/> and <see cref="AbortedAt"/> is set.
/// </summary>
internal sealed record HandoffMarker
{
    public required string DeploymentId { get; init; }

    public required long Generation { get; init; }

    public required string ProcessId { get; init; }

    public required string ExpectedDigest { get; init; }

    /// <summary>The edge target id of the instance that handed over (<c>slipway</c> or an earlier <c>slipway-prod-gN</c>).</summary>
    public required string OldProcessId { get; init; }

    public required string OldUrl { get; init; }

    public required DateTimeOffset WrittenAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? CompletedBy { get; init; }

    public DateTimeOffset? AbortedAt { get; init; }

    public DateTimeOffset? OldStoppedAt { get; init; }

    public bool IsOpen => CompletedAt is null && AbortedAt is null;
}
