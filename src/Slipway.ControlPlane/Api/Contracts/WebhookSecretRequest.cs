namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>Body of <c>PUT /api/v1/apps/{app}/webhook-secret</c>.</summary>
public sealed record WebhookSecretRequest
{
    public string? Secret { get; init; }
}
