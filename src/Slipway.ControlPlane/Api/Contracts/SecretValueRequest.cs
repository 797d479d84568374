namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>Body of <c>PUT /api/v1/apps/{app}/secrets/{name}</c>.</summary>
public sealed record SecretValueRequest
{
    public string? Value { get; init; }
}
