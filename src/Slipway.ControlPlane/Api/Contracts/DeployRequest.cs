namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>Body of <c>POST /api/v1/apps/{app}/deploy</c>.</summary>
public sealed record DeployRequest
{
    /// <summary>A git revision (sha, branch, tag) for git sources.</summary>
    public string? Revision { get; init; }

    /// <summary>A directory on the server's machine to deploy from.</summary>
    public string? From { get; init; }

    /// <summary>Environment to deploy to; defaults to the app's first environment.</summary>
    public string? Env { get; init; }

    /// <summary>A one-off canary at this share (<c>10%</c>), held until <c>rollout promote</c> or <c>abort</c> (docs/rollout.md).</summary>
    public string? Canary { get; init; }
}

/// <summary>Body of <c>POST /api/v1/apps/{app}/rollback</c>.</summary>
public sealed record RollbackRequest
{
    /// <summary>Release id to roll back to; defaults to the previous generation's release.</summary>
    public string? To { get; init; }

    /// <summary>Environment to roll back; defaults to the app's last environment (where users are served).</summary>
    public string? Env { get; init; }
}
