namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>What <c>POST /api/v1/webhooks/{forge}</c> answers: the deployments it queued and what it ignored, and why.</summary>
public sealed record WebhookAnswer
{
    public required string Message { get; init; }

    public IReadOnlyList<WebhookDeployment> Deployments { get; init; } = [];

    public IReadOnlyList<WebhookIgnored> Ignored { get; init; } = [];
}
