namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>Something in a webhook delivery that deployed nothing, and why.</summary>
public sealed record WebhookIgnored
{
    /// <summary>The app it concerned, when one did.</summary>
    public string? App { get; init; }

    public required string Reason { get; init; }
}
