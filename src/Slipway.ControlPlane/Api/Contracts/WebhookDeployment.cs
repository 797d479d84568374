namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>A deployment a webhook delivery queued (or joined, when the same revision was already queued or running).</summary>
public sealed record WebhookDeployment
{
    public required string App { get; init; }

    public required string Env { get; init; }

    public required string Id { get; init; }

    public required string Revision { get; init; }

    public bool Coalesced { get; init; }
}
