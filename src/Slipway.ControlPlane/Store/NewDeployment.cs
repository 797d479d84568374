namespace Slipway.ControlPlane.Store;

/// <summary>A deployment request as accepted by the API, before the store gives it an id.</summary>
internal sealed record NewDeployment
{
    public required string App { get; init; }

    public string Env { get; init; } = "prod";

    public DeploymentKind Kind { get; init; } = DeploymentKind.Deploy;

    public string? RequestedRevision { get; init; }

    public string? FromDir { get; init; }

    /// <summary><c>deploy --canary N%</c>: a one-off canary held at this share until promoted or aborted (docs/rollout.md).</summary>
    public int? CanaryWeight { get; init; }
}
