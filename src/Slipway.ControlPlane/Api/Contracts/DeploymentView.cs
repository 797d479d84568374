namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>A deployment as the API shows it (<c>GET /api/v1/deployments/{id}</c>).</summary>
public sealed record DeploymentView
{
    public required string Id { get; init; }

    public required string App { get; init; }

    public required string Env { get; init; }

    /// <summary><c>deploy</c>, <c>rollback</c> or <c>promote</c>.</summary>
    public required string Kind { get; init; }

    /// <summary><c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>, <c>superseded</c>, <c>rolled_back</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Current or last phase: <c>queued</c>, <c>source</c>, <c>build</c>, <c>release</c>, <c>migrate</c>, <c>start</c>, <c>validate</c>, <c>activate</c>, <c>drain</c>, <c>done</c>.</summary>
    public required string Phase { get; init; }

    public string? RequestedRevision { get; init; }

    public string? From { get; init; }

    public string? Release { get; init; }

    public string? Revision { get; init; }

    public string? Digest { get; init; }

    public int? Generation { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public long? DurationMs { get; init; }

    public int? ExitCode { get; init; }

    public string? ErrorSummary { get; init; }

    public string? SupersededBy { get; init; }

    /// <summary>When each phase began.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> PhaseTimes { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>True when this request joined a deployment that was already queued or running.</summary>
    public bool Coalesced { get; init; }

    /// <summary>The promote deployment queued when this one succeeded (<c>promote: auto</c>), if any.</summary>
    public string? Promotion { get; init; }

    /// <summary>For a promotion: the environment whose validated release it carries over.</summary>
    public string? PromotedFrom { get; init; }

    /// <summary>For a promotion: the deployment that validated the release in <see cref="PromotedFrom"/>.</summary>
    public string? ValidatedBy { get; init; }

    /// <summary>The progressive delivery of this deployment (docs/rollout.md); null for a full swap.</summary>
    public RolloutView? Rollout { get; init; }
}

/// <summary>Answer of <c>?wait=true</c> deploys and of self-deploy.</summary>
public sealed record DeployOutcome
{
    public required string Id { get; init; }

    public required string Status { get; init; }

    public long DurationMs { get; init; }

    public int? ExitCode { get; init; }

    public string? ErrorSummary { get; init; }

    /// <summary>The last 8 KiB of the deployment log, starting at a line boundary.</summary>
    public string LogTail { get; init; } = "";

    /// <summary>The promote deployment queued when this one succeeded (<c>promote: auto</c>), if any.</summary>
    public string? Promotion { get; init; }
}
