namespace Slipway.ControlPlane.Store;

/// <summary>A new token: <see cref="Secret"/> is shown to the user once and is not recoverable from the store.</summary>
internal sealed record CreatedToken(TokenRecord Token, string Secret);
