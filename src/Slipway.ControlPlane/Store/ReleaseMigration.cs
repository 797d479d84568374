namespace Slipway.ControlPlane.Store;

/// <summary>One release's <c>migrate</c> record (table <c>release_migrations</c>).</summary>
internal sealed record ReleaseMigration
{
    public required string ReleaseId { get; init; }

    public required string App { get; init; }

    public required string Digest { get; init; }

    public required MigrationStatus Status { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>How many times the command was started for this release (more than one only after a failure or a crash).</summary>
    public int Attempts { get; init; }

    public string? DeploymentId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }
}
