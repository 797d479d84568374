namespace Slipway.ControlPlane.Store;

/// <summary>One deployment's progress and outcome.</summary>
internal sealed record Deployment
{
    /// <summary><c>d-yyyyMMdd-NNNN</c> (UTC day, then a per-day sequence): short, typeable, sortable.</summary>
    public required string Id { get; init; }

    public required string App { get; init; }

    public required string Env { get; init; }

    public required DeploymentKind Kind { get; init; }

    public string? RequestedRevision { get; init; }

    public string? FromDir { get; init; }

    public required DeploymentStatus Status { get; init; }

    /// <summary>Current phase (queued, source, ... done); on failure, the phase that failed.</summary>
    public required DeploymentPhase Phase { get; init; }

    public string? ReleaseId { get; init; }

    public long? Generation { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public int? ExitCode { get; init; }

    public string? ErrorSummary { get; init; }

    public string? SupersededBy { get; init; }

    /// <summary>When each phase began, in phase order.</summary>
    public IReadOnlyDictionary<DeploymentPhase, DateTimeOffset> PhaseTimes { get; init; } = new Dictionary<DeploymentPhase, DateTimeOffset>();

    public long? DurationMs { get; init; }

    public bool IsTerminal => Status is not (DeploymentStatus.Queued or DeploymentStatus.Running);
}
